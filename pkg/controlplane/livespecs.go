package controlplane

import (
	"context"
	"database/sql"
	"strings"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// LiveFilter selects live specs. An empty filter selects every spec the principal can read.
type LiveFilter struct {
	Prefix string
	// Names selects these exact names (at most MaxNames).
	Names []string
	Types []api.SpecType
	// WithSpec includes each spec's JSON.
	WithSpec bool
}

// ListLiveSpecs lists, by name, the live specs the filter selects among those the principal can read.
func (s *Store) ListLiveSpecs(ctx context.Context, p *Principal, f LiveFilter) ([]api.LiveSpec, error) {
	if err := api.ValidatePrefix(f.Prefix); err != nil {
		return nil, badRequestf("%v", err)
	}
	if len(f.Names) > MaxNames {
		return nil, badRequestf("%d names asked for at once; the limit is %d: split the request", len(f.Names), MaxNames)
	}
	for _, n := range f.Names {
		if err := api.ValidateName(n); err != nil {
			return nil, badRequestf("%v", err)
		}
	}
	for _, t := range f.Types {
		if !t.Valid() {
			return nil, badRequestf("type must be capture, collection, materialization or test, not %q", t)
		}
	}
	cols := `catalog_name, spec_type, last_pub_id, last_pub_user, updated_at`
	if f.WithSpec {
		cols += `, spec`
	}
	query := `SELECT ` + cols + ` FROM live_specs`
	var args []any
	switch {
	case len(f.Names) > 0:
		query += ` WHERE catalog_name IN (` + placeholders(len(f.Names)) + `)`
		for _, n := range f.Names {
			args = append(args, n)
		}
	case f.Prefix != "":
		// substr and length count characters on both backends, and are case-sensitive, unlike LIKE.
		query += ` WHERE substr(catalog_name, 1, length(?)) = ?`
		args = append(args, f.Prefix, f.Prefix)
	}
	rows, err := s.query(ctx, s.db, query+` ORDER BY catalog_name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []api.LiveSpec{}
	for rows.Next() {
		var l api.LiveSpec
		var spec string
		dest := []any{&l.CatalogName, &l.SpecType, &l.LastPubID, &l.LastPubUser, &l.UpdatedAt}
		if f.WithSpec {
			dest = append(dest, &spec)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if !p.Can(Read, l.CatalogName) || !typeSelected(f.Types, l.SpecType) {
			continue
		}
		if f.WithSpec {
			l.Spec = []byte(spec)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func typeSelected(types []api.SpecType, t api.SpecType) bool {
	if len(types) == 0 {
		return true
	}
	for _, x := range types {
		if x == t {
			return true
		}
	}
	return false
}

// History lists every publication of a spec the principal can read, oldest first.
func (s *Store) History(ctx context.Context, p *Principal, name string) ([]api.HistoryEntry, error) {
	if err := api.ValidateName(name); err != nil {
		return nil, badRequestf("%v", err)
	}
	if !p.Can(Read, name) {
		return nil, forbiddenf("you have no read grant on %q", name)
	}
	rows, err := s.query(ctx, s.db, `SELECT ps.pub_id, ps.catalog_name, ps.spec_type, ps.spec, p.user_name, p.detail, p.published_at
		FROM publication_specs ps JOIN publications p ON p.id = ps.pub_id
		WHERE ps.catalog_name = ? ORDER BY ps.pub_id`, name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []api.HistoryEntry{}
	for rows.Next() {
		var h api.HistoryEntry
		var spec sql.NullString
		if err := rows.Scan(&h.PubID, &h.CatalogName, &h.SpecType, &spec, &h.User, &h.Detail, &h.PublishedAt); err != nil {
			return nil, err
		}
		if spec.Valid {
			h.Spec = []byte(spec.String)
		} else {
			h.Spec = []byte("null")
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// MaxNames bounds the names one listing selects, which keeps queries under the databases' parameter limits.
const MaxNames = 1000

// placeholders is "?,?,...,?" with n marks.
func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

// liveSpec is a live spec as a publication sees it.
type liveSpec struct {
	specType  api.SpecType
	spec      any
	lastPubID string
}

// loadLive loads the named live specs that exist.
func (s *Store) loadLive(ctx context.Context, names []string) (map[string]liveSpec, error) {
	out := map[string]liveSpec{}
	const batch = 500
	for start := 0; start < len(names); start += batch {
		chunk := names[start:min(start+batch, len(names))]
		args := make([]any, len(chunk))
		for i, n := range chunk {
			args[i] = n
		}
		rows, err := s.query(ctx, s.db, `SELECT catalog_name, spec_type, spec, last_pub_id FROM live_specs
			WHERE catalog_name IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var name, raw string
			var l liveSpec
			if err := rows.Scan(&name, &l.specType, &raw, &l.lastPubID); err != nil {
				rows.Close()
				return nil, err
			}
			if _, l.spec, err = canonicalSpec([]byte(raw), l.specType); err != nil {
				rows.Close()
				return nil, err
			}
			out[name] = l
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// hierarchicalNames lists live specs whose name is name's parent at a '/' (acmeCo/x for acmeCo/x/y)
// or starts with name + "/".
func (s *Store) hierarchicalNames(ctx context.Context, name string) ([]string, error) {
	args := []any{name + "/", name + "/"}
	var ancestors []string
	for i := strings.Index(name, "/"); i >= 0; i = nextSlash(name, i) {
		ancestors = append(ancestors, name[:i])
	}
	query := `SELECT catalog_name FROM live_specs WHERE substr(catalog_name, 1, length(?)) = ?`
	if len(ancestors) > 0 {
		query += ` OR catalog_name IN (` + placeholders(len(ancestors)) + `)`
		for _, a := range ancestors {
			args = append(args, a)
		}
	}
	return s.queryNames(ctx, query+` ORDER BY catalog_name LIMIT 10`, args...)
}

func nextSlash(s string, after int) int {
	if j := strings.Index(s[after+1:], "/"); j >= 0 {
		return after + 1 + j
	}
	return -1
}

// referrers lists the live specs that reference name.
func (s *Store) referrers(ctx context.Context, name string) ([]string, error) {
	return s.queryNames(ctx, `SELECT catalog_name FROM live_spec_refs WHERE ref_name = ? ORDER BY catalog_name`, name)
}

// queryNames runs a query of one column of catalog names and returns them in row order.
func (s *Store) queryNames(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.query(ctx, s.db, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}
