package catalog

// SQLParams lists the `$parameters` of one SQLite statement in order of appearance, repeats
// included, skipping string literals, quoted names and comments. It tokenizes as SQLite does
// (tokenize.c), so that it finds exactly the variables SQLite will number:
//   - `$` is an identifier character, so `a$b` is one name and `$a$b` one parameter;
//   - a parameter runs over identifier characters and `::` pairs, and may end in one `(...)`
//     suffix (Tcl-style, without whitespace inside), as Flow's `$p::(field)` form needs.
//
// Text SQLite would reject (an unterminated quote, `$` alone) yields what a best effort finds:
// preparing the statement reports the real error.
func SQLParams(stmt string) []string {
	var out []string
	for i := 0; i < len(stmt); {
		switch c := stmt[i]; {
		case c == '$':
			end := sqlVariableEnd(stmt, i)
			if end > i+1 {
				out = append(out, stmt[i:end])
			}
			i = end
		case c == '\'' || c == '"' || c == '`':
			i = sqlQuotedEnd(stmt, i, c)
		case c == '[':
			i = sqlQuotedEnd(stmt, i, ']')
		case c == '-' && i+1 < len(stmt) && stmt[i+1] == '-':
			for i < len(stmt) && stmt[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(stmt) && stmt[i+1] == '*':
			i = sqlCommentEnd(stmt, i+2)
		case isSQLIdentChar(c):
			// Names, keywords and numbers: SQLite rejects a number followed by name characters,
			// so treating both alike never hides a parameter of a statement that prepares.
			for i < len(stmt) && isSQLIdentChar(stmt[i]) {
				i++
			}
		default:
			i++
		}
	}
	return out
}

// sqlVariableEnd returns the end of the variable token that starts with the '$' at stmt[i].
func sqlVariableEnd(stmt string, i int) int {
	named := false // SQLite accepts a `(` suffix only after at least one name character.
	for i++; i < len(stmt); i++ {
		switch c := stmt[i]; {
		case isSQLIdentChar(c):
			named = true
		case c == '(' && named:
			for i++; i < len(stmt) && stmt[i] != ')' && !isSQLSpace(stmt[i]); i++ {
			}
			if i < len(stmt) && stmt[i] == ')' {
				i++
			}
			return i
		case c == ':' && i+1 < len(stmt) && stmt[i+1] == ':':
			i++
		default:
			return i
		}
	}
	return i
}

// sqlQuotedEnd returns the index after the quoted token opened at s[i]; a doubled closing quote
// (other than `]`) is an escaped one.
func sqlQuotedEnd(s string, i int, closing byte) int {
	for j := i + 1; j < len(s); j++ {
		if s[j] != closing {
			continue
		}
		if closing != ']' && j+1 < len(s) && s[j+1] == closing {
			j++
			continue
		}
		return j + 1
	}
	return len(s)
}

// sqlCommentEnd returns the index after the `*/` that closes a comment whose body starts at i.
func sqlCommentEnd(s string, i int) int {
	for ; i+1 < len(s); i++ {
		if s[i] == '*' && s[i+1] == '/' {
			return i + 2
		}
	}
	return len(s)
}

// isSQLSpace is SQLite's sqlite3Isspace: ASCII whitespace.
func isSQLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
