package app

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{WithCode(ExitFail), ExitFail},
		{WithCode(ExitError), ExitError},
		{fmt.Errorf("wrapped: %w", WithCode(ExitFail)), ExitFail},
		{Usagef("bad flag"), ExitError},
		{errors.New("anything else"), ExitError},
		{context.Canceled, ExitError},
		// A StatusError that claims success is still an error: nothing maps
		// to 0 but nil.
		{&StatusError{Code: ExitOK, Err: errors.New("x")}, ExitError},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.err); got != tt.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}
