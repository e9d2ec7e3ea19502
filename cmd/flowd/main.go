// Command flowd is flowctl's control plane: an HTTP JSON API over users, grants, drafts,
// publications and live specs, stored in SQLite or PostgreSQL.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/flowctl/flowctl/internal/cliutil"
)

func main() { os.Exit(flowdMain(cliutil.System(), os.Args[1:])) }

func flowdMain(io *cliutil.IOStreams, args []string) int {
	root := &cobra.Command{
		Use:           "flowd",
		Short:         "The flowctl control plane: drafts, publications and live specs over an HTTP JSON API",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &cliutil.UsageError{Err: err} })
	root.AddCommand(newServeCmd(io), newAdminCmd(io))
	root.SetArgs(args)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	cmd, err := root.ExecuteC()
	if err == nil {
		return cliutil.ExitOK
	}
	fmt.Fprintln(io.ErrOut, "error:", err)
	var usage *cliutil.UsageError
	if errors.As(err, &usage) {
		fmt.Fprintf(io.ErrOut, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return cliutil.ExitCode(err)
}
