package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/fsar-gate/fsar/internal/cli"
	"github.com/fsar-gate/fsar/internal/github/fakegh"
	"github.com/fsar-gate/fsar/internal/iostreams"
)

func TestMain(m *testing.M) {
	if os.Getenv("FSAR_TEST_RUN_MAIN") == "1" {
		main() // the binary's own main, signals and all: TestSecondSignalStops
		return
	}
	testscript.Main(m, map[string]func(){
		"fsar": func() { os.Exit(cli.Main(context.Background(), os.Args[1:], iostreams.System())) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script against the
// real fsar binary. $PROPOSALS is the project's example reports; $CORPUS the
// real report corpus, when it is there (scripts that need it skip without).
func TestScripts(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	corpus := filepath.Join(root, "..", "shared", "corpus", "lumin-lifeos")
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join(root, "testdata", "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("PROPOSALS", filepath.Join(root, "proposals"))
			env.Setenv("ACTION", filepath.Join(root, ".github", "action"))
			env.Setenv("CORPUS", corpus)
			env.Setenv("NO_COLOR", "1")
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "corpus" {
				_, err := os.Stat(corpus)
				return err == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// ghfake: a fake GitHub API in the test process (see fakegh.ScriptCmd).
			"ghfake": fakegh.ScriptCmd,
			// exits N COMMAND [ARGS...]: runs the command (as exec does, so
			// that stdout and stderr can be checked after it) and wants exit
			// status N.
			"exits": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 2 {
					ts.Fatalf("usage: exits N COMMAND [ARGS...]")
				}
				want, err := strconv.Atoi(args[0])
				ts.Check(err)
				got := 0
				if err := ts.Exec(args[1], args[2:]...); err != nil {
					var ee *exec.ExitError
					if !errors.As(err, &ee) {
						ts.Fatalf("%s: %v", args[1], err)
					}
					got = ee.ExitCode()
				}
				if got != want {
					ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
				}
			},
			// genkey ecdsa|ed25519 PRIVATE PUBLIC: writes a new key pair,
			// PEM (PKCS #8 and PKIX), for signing and verifying verdicts.
			"genkey": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 3 {
					ts.Fatalf("usage: genkey ecdsa|ed25519 PRIVATE PUBLIC")
				}
				var priv crypto.Signer
				var err error
				switch args[0] {
				case "ecdsa":
					priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				case "ed25519":
					_, priv, err = ed25519.GenerateKey(rand.Reader)
				default:
					ts.Fatalf("genkey: unknown kind %q", args[0])
				}
				ts.Check(err)
				der, err := x509.MarshalPKCS8PrivateKey(priv)
				ts.Check(err)
				pub, err := x509.MarshalPKIXPublicKey(priv.Public())
				ts.Check(err)
				ts.Check(os.WriteFile(ts.MkAbs(args[1]), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))
				ts.Check(os.WriteFile(ts.MkAbs(args[2]), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o644))
			},
			// lines N FILE: FILE (or stdout/stderr) has exactly N lines.
			"lines": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: lines N FILE")
				}
				want, err := strconv.Atoi(args[0])
				ts.Check(err)
				var text string
				switch args[1] {
				case "stdout", "stderr":
					text = ts.ReadFile(args[1])
				default:
					text = ts.ReadFile(args[1])
				}
				got := strings.Count(text, "\n")
				if (got == want) == neg {
					ts.Fatalf("%s has %d lines, want %d", args[1], got, want)
				}
			},
		},
	})
}

// TestScriptsSayTheirExitStatus: a script that expects a command to fail
// says with which status (exits N), so that a usage error cannot pass for
// a failing gate, nor a failing gate for an error: '! exec' accepts any
// status but 0.
func TestScriptsSayTheirExitStatus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "script", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "-- ") {
				break // the files the script works on
			}
			if strings.HasPrefix(strings.TrimSpace(line), "! exec ") {
				t.Errorf("%s:%d: %q: say the exit status with 'exits N'", file, i+1, line)
			}
		}
	}
}

// TestSecondSignalStops: the first SIGINT cancels a run; a second one ends
// the process at once with exit status 2, even while fsar waits on a read
// that no cancellation can end (standard input that never closes).
// (Issue 12, defect 7.)
func TestSecondSignalStops(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on Windows")
	}
	stdin, keep, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer keep.Close()
	cmd := exec.Command(os.Args[0], "check", "-")
	cmd.Env = append(os.Environ(), "FSAR_TEST_RUN_MAIN=1")
	cmd.Stdin = stdin
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stdin.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// Give the process time to start and block on its standard input.
	time.Sleep(2 * time.Second)
	for range 2 {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(stderr.String(), "interrupted again") {
			t.Fatalf("exit %v, stderr %q; want exit status 2 after the second signal", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("still running 30 s after the second SIGINT")
	}
}
