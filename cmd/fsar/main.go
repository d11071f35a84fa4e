// Command fsar gates FSAR proposal reports with policies as code.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/fsar-gate/fsar/internal/cli"
	"github.com/fsar-gate/fsar/internal/iostreams"
)

// memoryLimit is the soft memory limit of a run (see main).
const memoryLimit = 150 << 20

func main() {
	// A run's live heap is small and short-lived: collecting less often
	// saves a fifth of the CPU time of a large check. GOGC still rules.
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(400)
	}
	// ...but never lets garbage take the process past memoryLimit: near it
	// the collector runs as often as it must. A run whose live heap is
	// larger (it should not be: the readers' limits bound it) still runs.
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(memoryLimit)
	}
	ctx, cancel := context.WithCancel(context.Background())
	interrupted(cancel)
	code := cli.Main(ctx, os.Args[1:], iostreams.System())
	cancel()
	os.Exit(code)
}

// interrupted makes the first SIGINT or SIGTERM cancel the run (what is
// not judged yet is an error, exit 2) and a second one end the process at
// once with exit 2: whatever is still waiting — a read of standard input,
// a slow file system — cannot keep fsar alive.
func interrupted(cancel context.CancelFunc) {
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		cancel()
		<-signals
		fmt.Fprintln(os.Stderr, "fsar: interrupted again: stopping now")
		os.Exit(cli.ExitError)
	}()
}
