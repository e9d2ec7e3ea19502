// Command show prints the tables of a SQLite database as aligned text, so that the quickstart can
// display what it materialized without the sqlite3 command-line shell.
//
//	go run ./examples/quickstart/show examples/quickstart/quickstart.db orders customer_totals
package main

import (
	"database/sql"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	_ "github.com/mattn/go-sqlite3"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: show DATABASE TABLE...")
		os.Exit(2)
	}
	if _, err := os.Stat(os.Args[1]); err != nil {
		fmt.Fprintf(os.Stderr, "show: %v (run the pipeline first: make run)\n", err)
		os.Exit(1)
	}
	db, err := sql.Open("sqlite3", "file:"+os.Args[1]+"?mode=ro")
	if err != nil {
		fmt.Fprintln(os.Stderr, "show:", err)
		os.Exit(1)
	}
	defer db.Close()
	for _, table := range os.Args[2:] {
		if err := printTable(db, table); err != nil {
			fmt.Fprintf(os.Stderr, "show: table %s: %v\n", table, err)
			os.Exit(1)
		}
	}
}

// printTable prints a table's rows, ordered by its first column, without its flow_document column.
func printTable(db *sql.DB, table string) error {
	quoted := `"` + strings.ReplaceAll(table, `"`, `""`) + `"`
	rows, err := db.Query("SELECT * FROM " + quoted + " ORDER BY 1")
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	var shown []int
	for i, c := range cols {
		if c != "flow_document" {
			shown = append(shown, i)
		}
	}
	fmt.Printf("%s:\n", table)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	printRow(w, cols, shown)
	values := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range values {
		ptrs[i] = &values[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		cells := make([]string, len(cols))
		for i, v := range values {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			cells[i] = fmt.Sprint(v)
		}
		printRow(w, cells, shown)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	w.Flush()
	fmt.Println()
	return nil
}

func printRow(w *tabwriter.Writer, cells []string, shown []int) {
	out := make([]string, len(shown))
	for i, c := range shown {
		out[i] = cells[c]
	}
	fmt.Fprintln(w, "  "+strings.Join(out, "\t"))
}
