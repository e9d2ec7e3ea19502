package main

import (
	"github.com/spf13/cobra"

	"github.com/flowctl/flowctl/internal/cliutil"
)

// listOutput is the --output flag of the commands that list things: a table for people, or the
// whole list as JSON or YAML for programs.
type listOutput string

func (o *listOutput) register(cmd *cobra.Command) {
	cmd.Flags().StringVarP((*string)(o), "output", "o", cliutil.OutputTable, "output format: table, json or yaml")
}

// check is the usage error of an unknown format; commands call it before any other work.
func (o listOutput) check() error {
	return cliutil.CheckOutput(string(o), cliutil.OutputTable, cliutil.OutputJSON, cliutil.OutputYAML)
}

// table reports whether the list is shown as a table (which may leave out what programs want).
func (o listOutput) table() bool { return o == cliutil.OutputTable }

// write prints v as JSON or YAML, or else a table of header whose rows are added by rows.
func (o listOutput) write(f *Factory, v any, header []string, rows func(*cliutil.Table)) error {
	switch o {
	case cliutil.OutputJSON:
		return cliutil.WriteJSON(f.IO.Out, v)
	case cliutil.OutputYAML:
		return cliutil.WriteYAML(f.IO.Out, v)
	}
	t := cliutil.NewTable(f.IO, header...)
	rows(t)
	return t.Flush()
}
