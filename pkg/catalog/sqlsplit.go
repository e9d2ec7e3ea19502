package catalog

import (
	"fmt"
	"strings"
)

// Tokens and states of SQLite's sqlite3_complete(), which Flow uses to find statement boundaries.
// A ';' ends a statement only when it leaves the machine in stateStart: inside CREATE TRIGGER ...
// BEGIN ... END it does not.
const (
	tkSemi = iota
	tkWS
	tkOther
	tkExplain
	tkCreate
	tkTemp
	tkTrigger
	tkEnd
)

const stateStart = 1

var completeTransitions = [8][8]uint8{
	//  SEMI WS OTHER EXPLAIN CREATE TEMP TRIGGER END
	{1, 0, 2, 3, 4, 2, 2, 2}, // 0 invalid (nothing yet)
	{1, 1, 2, 3, 4, 2, 2, 2}, // 1 start (after a complete statement)
	{1, 2, 2, 2, 2, 2, 2, 2}, // 2 normal
	{1, 3, 3, 2, 4, 2, 2, 2}, // 3 explain
	{1, 4, 2, 2, 2, 4, 5, 2}, // 4 create
	{6, 5, 5, 5, 5, 5, 5, 5}, // 5 trigger body
	{6, 6, 5, 5, 5, 5, 5, 7}, // 6 semicolon in a trigger body
	{1, 7, 5, 5, 5, 5, 5, 5}, // 7 end of a trigger body
}

// SplitSQLBlock splits a block of SQL into its statements, each ending in its ';', as Flow splits
// lambdas and migrations: semicolons inside strings, identifiers, comments and trigger bodies do not
// split, statements of only whitespace and comments are dropped, and text after the last ';' is an
// error because it is ambiguous.
func SplitSQLBlock(sql string) ([]string, error) {
	if strings.IndexByte(sql, 0) >= 0 {
		return nil, fmt.Errorf("SQL block contains NUL characters")
	}
	var out []string
	state, start, hasContent := uint8(0), 0, false
	for i := 0; i < len(sql); {
		tok, next, err := sqlToken(sql, i)
		if err != nil {
			return nil, fmt.Errorf("SQL block has %v", err)
		}
		if tok != tkWS && tok != tkSemi {
			hasContent = true
		}
		state = completeTransitions[state][tok]
		i = next
		if tok == tkSemi && state == stateStart {
			if hasContent {
				out = append(out, strings.TrimSpace(sql[start:i]))
			}
			start, hasContent, state = i, false, 0
		}
	}
	if hasContent {
		return nil, fmt.Errorf("SQL block has ambiguous trailing content without a closing ';': %s",
			strings.TrimSpace(sql[start:]))
	}
	return out, nil
}

// sqlToken classifies the token starting at i and returns the index after it.
func sqlToken(sql string, i int) (int, int, error) {
	c := sql[i]
	switch {
	case c == ';':
		return tkSemi, i + 1, nil
	case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
		return tkWS, i + 1, nil
	case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
		end := strings.IndexByte(sql[i:], '\n')
		if end < 0 {
			return tkWS, len(sql), nil
		}
		return tkWS, i + end + 1, nil
	case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
		end := strings.Index(sql[i+2:], "*/")
		if end < 0 {
			return 0, 0, fmt.Errorf("an unterminated /* comment")
		}
		return tkWS, i + 2 + end + 2, nil
	case c == '\'' || c == '"' || c == '`' || c == '[':
		closer := c
		if c == '[' {
			closer = ']'
		}
		end := strings.IndexByte(sql[i+1:], closer)
		if end < 0 {
			return 0, 0, fmt.Errorf("an unterminated %c quote", c)
		}
		// A doubled quote is an escaped quote and simply starts the next quoted token.
		return tkOther, i + 1 + end + 1, nil
	case isSQLIdentChar(c):
		j := i
		for j < len(sql) && isSQLIdentChar(sql[j]) {
			j++
		}
		return keywordToken(sql[i:j]), j, nil
	}
	return tkOther, i + 1, nil
}

func isSQLIdentChar(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func keywordToken(word string) int {
	switch strings.ToLower(word) {
	case "create":
		return tkCreate
	case "temp", "temporary":
		return tkTemp
	case "trigger":
		return tkTrigger
	case "end":
		return tkEnd
	case "explain":
		return tkExplain
	}
	return tkOther
}
