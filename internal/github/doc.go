// Package github publishes check results to GitHub pull requests: a
// sticky comment, a check run and a commit status, each one posting mode
// behind the Poster interface, and a fan-out that posts to several. It
// decides human approval of review verdicts (a label added after the last
// push by a user who may write to the repository), lists the files a pull
// request changes, and reads results written earlier, as untrusted input.
//
// Every request goes through Transport, which authenticates, retries with
// backoff on server errors, timeouts and resets, honours GitHub's primary
// and secondary rate limits, sends mutating requests one at a time and
// keeps to the caller's deadline. A request whose outcome is unknown (a
// POST whose response was lost) is not retried blindly: the posting mode
// lists what exists and posts only what is missing, so that every item is
// posted exactly once.
//
// Nothing here reads the environment, prints or exits: the command builds
// a Context from the GitHub Actions environment and passes it in. The
// token never appears in an error or a log line.
package github
