package cli

import "github.com/fsar-gate/fsar/internal/app"

// Exit statuses: see package app, which maps every outcome onto them.
const (
	ExitOK      = app.ExitOK
	ExitFail    = app.ExitFail
	ExitError   = app.ExitError
	ExitPublish = app.ExitPublish
)

var (
	usagef   = app.Usagef
	parseNow = app.ParseNow
	oneOf    = app.OneOf
)

func usageErr(err error) error { return &app.UsageError{Err: err} }
