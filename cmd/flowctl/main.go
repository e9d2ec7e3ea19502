// Command flowctl loads, checks, tests and runs Flow catalogs.
package main

import "os"

func main() { os.Exit(flowctlMain()) }
