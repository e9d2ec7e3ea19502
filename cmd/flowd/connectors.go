package main

// The built-in connectors register in init under Estuary's image names; the data plane runs the
// published tasks that name them in process, the same set `flowctl develop` and `raw connector` run.
import (
	_ "github.com/flowctl/flowctl/pkg/connector/capture/helloworld"
	_ "github.com/flowctl/flowctl/pkg/connector/capture/httpingest"
	_ "github.com/flowctl/flowctl/pkg/connector/capture/postgres"
	_ "github.com/flowctl/flowctl/pkg/connector/capture/sourcefile"
	_ "github.com/flowctl/flowctl/pkg/connector/materialize"
)
