// Package cliutil holds what every command of flowctl and flowd shares: terminal-aware I/O, output
// formats, structured logging and the mapping of errors to exit codes.
package cliutil

import (
	"io"
	"os"

	"github.com/mattn/go-isatty"
)

// IOStreams are the standard streams of one command invocation. Commands write data to Out and
// progress or diagnostics to ErrOut, and never touch os.Stdout directly, so tests can capture both.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	outTTY  bool
	errTTY  bool
	noColor bool
}

// System returns the process's streams, detecting terminals and honouring NO_COLOR.
func System() *IOStreams {
	return &IOStreams{
		In:      os.Stdin,
		Out:     os.Stdout,
		ErrOut:  os.Stderr,
		outTTY:  isTerminal(os.Stdout),
		errTTY:  isTerminal(os.Stderr),
		noColor: os.Getenv("NO_COLOR") != "",
	}
}

// Test returns streams over the given reader and writers, never a terminal.
func Test(in io.Reader, out, errOut io.Writer) *IOStreams {
	return &IOStreams{In: in, Out: out, ErrOut: errOut, noColor: true}
}

// IsStdoutTTY reports whether data output goes to a terminal (rich tables) or to a program (stable text).
func (s *IOStreams) IsStdoutTTY() bool { return s.outTTY }

// ColorEnabled reports whether stderr may carry ANSI colour: only on a terminal, and never with NO_COLOR.
func (s *IOStreams) ColorEnabled() bool { return s.errTTY && !s.noColor }

// ColorStdout reports whether stdout may carry ANSI colour.
func (s *IOStreams) ColorStdout() bool { return s.outTTY && !s.noColor }

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}
