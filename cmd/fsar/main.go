// Command fsar gates FSAR proposal reports with policies as code.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/fsar-gate/fsar/internal/cli"
	"github.com/fsar-gate/fsar/internal/iostreams"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], iostreams.System())
	stop()
	os.Exit(code)
}
