package cliutil

import (
	"errors"
	"fmt"
)

// Exit codes shared by flowctl and flowd.
const (
	ExitOK = 0
	// ExitFailure: the command ran and found a failure (an invalid catalog, a failed test, an invalid document).
	ExitFailure = 1
	// ExitUsage: the command was called wrongly or could not run (bad flags, missing files, runtime errors).
	ExitUsage = 2
)

// FailureError marks an error as a finding of the command (exit 1) rather than an inability to run.
type FailureError struct{ Err error }

func (e *FailureError) Error() string { return e.Err.Error() }
func (e *FailureError) Unwrap() error { return e.Err }

// Failure wraps err as a finding (exit 1).
func Failure(err error) error { return &FailureError{Err: err} }

// Failuref formats a finding (exit 1).
func Failuref(format string, args ...any) error {
	return &FailureError{Err: fmt.Errorf(format, args...)}
}

// SilentError exits with Code without printing anything more: the command has already reported.
type SilentError struct{ Code int }

func (e *SilentError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// UsageError marks a problem with how the command was called (exit 2); its usage is printed with it.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef formats a usage error (exit 2).
func Usagef(format string, args ...any) error { return &UsageError{Err: fmt.Errorf(format, args...)} }

// ExitCode maps an error returned by a command to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var silent *SilentError
	if errors.As(err, &silent) {
		return silent.Code
	}
	var failure *FailureError
	if errors.As(err, &failure) {
		return ExitFailure
	}
	return ExitUsage
}
