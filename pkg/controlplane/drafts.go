package controlplane

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

var pubIDRe = regexp.MustCompile(`^[0-9a-f]{16}$`)

// CreateDraft starts an empty draft owned by the principal.
func (s *Store) CreateDraft(ctx context.Context, p *Principal, detail string) (api.Draft, error) {
	at := now()
	d := api.Draft{ID: randomID(), Detail: detail, CreatedAt: at, UpdatedAt: at}
	_, err := s.exec(ctx, s.db, `INSERT INTO drafts (id, owner, detail, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
		d.ID, p.User, d.Detail, d.CreatedAt, d.UpdatedAt)
	return d, err
}

// ListDrafts lists the principal's drafts, oldest first.
func (s *Store) ListDrafts(ctx context.Context, p *Principal) ([]api.Draft, error) {
	rows, err := s.query(ctx, s.db, `SELECT d.id, d.detail, d.created_at, d.updated_at,
		(SELECT COUNT(*) FROM draft_specs ds WHERE ds.draft_id = d.id)
		FROM drafts d WHERE d.owner = ? ORDER BY d.created_at, d.id`, p.User)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	drafts := []api.Draft{}
	for rows.Next() {
		var d api.Draft
		if err := rows.Scan(&d.ID, &d.Detail, &d.CreatedAt, &d.UpdatedAt, &d.NumSpecs); err != nil {
			return nil, err
		}
		drafts = append(drafts, d)
	}
	return drafts, rows.Err()
}

// GetDraft returns one of the principal's drafts with its specs, sorted by name.
func (s *Store) GetDraft(ctx context.Context, p *Principal, id string) (api.Draft, error) {
	return s.loadDraft(ctx, s.db, p, id)
}

func (s *Store) loadDraft(ctx context.Context, q querier, p *Principal, id string) (api.Draft, error) {
	var d api.Draft
	err := s.queryRow(ctx, q, `SELECT id, detail, created_at, updated_at FROM drafts WHERE id = ? AND owner = ?`,
		id, p.User).Scan(&d.ID, &d.Detail, &d.CreatedAt, &d.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		// The same answer whether the draft is someone else's or does not exist.
		return d, notFoundf("you have no draft %q: list yours with `flowctl draft list`", id)
	} else if err != nil {
		return d, err
	}
	rows, err := s.query(ctx, q, `SELECT catalog_name, spec_type, spec, expect_pub_id FROM draft_specs
		WHERE draft_id = ? ORDER BY catalog_name`, id)
	if err != nil {
		return d, err
	}
	defer rows.Close()
	for rows.Next() {
		var ds api.DraftSpec
		var spec sql.NullString
		if err := rows.Scan(&ds.CatalogName, &ds.SpecType, &spec, &ds.ExpectPubID); err != nil {
			return d, err
		}
		if spec.Valid {
			ds.Spec = []byte(spec.String)
		}
		d.Specs = append(d.Specs, ds)
	}
	d.NumSpecs = len(d.Specs)
	return d, rows.Err()
}

// DeleteDraft deletes one of the principal's drafts and its specs.
func (s *Store) DeleteDraft(ctx context.Context, p *Principal, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.loadDraft(ctx, tx, p, id); err != nil {
			return err
		}
		return s.deleteDraftTx(ctx, tx, id)
	})
}

func (s *Store) deleteDraftTx(ctx context.Context, tx *sql.Tx, id string) error {
	if _, err := s.exec(ctx, tx, `DELETE FROM draft_specs WHERE draft_id = ?`, id); err != nil {
		return err
	}
	_, err := s.exec(ctx, tx, `DELETE FROM drafts WHERE id = ?`, id)
	return err
}

// UpsertDraftSpecs adds specs (or deletions) to a draft, replacing entries of the same name. Every
// name must be valid and under one of the principal's write grants; all are checked before any is
// stored, so a bad request changes nothing.
func (s *Store) UpsertDraftSpecs(ctx context.Context, p *Principal, id string, specs []api.DraftSpec) (api.Draft, error) {
	if len(specs) == 0 {
		return api.Draft{}, badRequestf("no specs given: pass at least one {catalogName, specType, spec}")
	}
	clean := make([]api.DraftSpec, 0, len(specs))
	seen := map[string]bool{}
	for i, ds := range specs {
		c, err := cleanDraftSpec(p, ds)
		if err != nil {
			var apiErr *Error
			if errors.As(err, &apiErr) {
				apiErr.Message = "specs[" + strconv.Itoa(i) + "]: " + apiErr.Message
			}
			return api.Draft{}, err
		}
		if seen[c.CatalogName] {
			return api.Draft{}, badRequestf("specs[%d]: %q is given twice", i, c.CatalogName)
		}
		seen[c.CatalogName] = true
		clean = append(clean, c)
	}
	var out api.Draft
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.loadDraft(ctx, tx, p, id); err != nil {
			return err
		}
		rows := make([][]any, len(clean))
		for i, ds := range clean {
			var spec any // NULL for a deletion
			if !ds.IsDeletion() {
				spec = string(ds.Spec)
			}
			rows[i] = []any{id, ds.CatalogName, string(ds.SpecType), spec, ds.ExpectPubID}
		}
		if err := s.insertRows(ctx, tx, `INSERT INTO draft_specs (draft_id, catalog_name, spec_type, spec, expect_pub_id) VALUES`,
			`ON CONFLICT (draft_id, catalog_name) DO UPDATE SET spec_type = excluded.spec_type, spec = excluded.spec,
			expect_pub_id = excluded.expect_pub_id`, rows); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE drafts SET updated_at = ? WHERE id = ?`, now(), id); err != nil {
			return err
		}
		var err error
		out, err = s.loadDraft(ctx, tx, p, id)
		return err
	})
	return out, err
}

// RemoveDraftSpecs drops the named entries from one of the principal's drafts; names not in the
// draft are ignored.
func (s *Store) RemoveDraftSpecs(ctx context.Context, p *Principal, id string, names []string) (api.Draft, error) {
	if len(names) == 0 || len(names) > MaxNames {
		return api.Draft{}, badRequestf("name 1 to %d specs to remove with ?name=...", MaxNames)
	}
	var out api.Draft
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.loadDraft(ctx, tx, p, id); err != nil {
			return err
		}
		args := []any{id}
		for _, n := range names {
			args = append(args, n)
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM draft_specs WHERE draft_id = ? AND catalog_name IN (`+placeholders(len(names))+`)`, args...); err != nil {
			return err
		}
		var err error
		out, err = s.loadDraft(ctx, tx, p, id)
		return err
	})
	return out, err
}

// cleanDraftSpec validates one draft spec and canonicalises its JSON.
func cleanDraftSpec(p *Principal, ds api.DraftSpec) (api.DraftSpec, error) {
	if err := api.ValidateName(ds.CatalogName); err != nil {
		return ds, badRequestf("%v", err)
	}
	if !p.Can(Write, ds.CatalogName) {
		return ds, forbiddenf("you have no write grant on %q", ds.CatalogName)
	}
	if !ds.IsDeletion() {
		liftSpecFields(&ds)
	}
	if ds.ExpectPubID != "" && !pubIDRe.MatchString(ds.ExpectPubID) {
		return ds, badRequestf("expectPubId of %q must be 16 lowercase hex digits", ds.CatalogName)
	}
	if ds.IsDeletion() {
		if ds.SpecType != "" && !ds.SpecType.Valid() {
			return ds, badRequestf("specType of %q must be capture, collection, materialization or test", ds.CatalogName)
		}
		ds.Spec = nil
		return ds, nil
	}
	if !ds.SpecType.Valid() {
		return ds, badRequestf("specType of %q must be capture, collection, materialization or test, not %q", ds.CatalogName, ds.SpecType)
	}
	spec, _, err := canonicalSpec(ds.Spec, ds.SpecType)
	if err != nil {
		return ds, badRequestf("%q: %v", ds.CatalogName, err)
	}
	ds.Spec = spec
	return ds, nil
}

// liftSpecFields moves Flow's in-spec `expectPubId` and `delete: true` onto the draft spec, where the
// publication reads them, so catalogs that use them publish as they do with Flow.
func liftSpecFields(ds *api.DraftSpec) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(ds.Spec, &obj) != nil {
		return // not an object: cleanDraftSpec reports it
	}
	var expect string
	if raw, ok := obj["expectPubId"]; ok && json.Unmarshal(raw, &expect) == nil {
		if ds.ExpectPubID == "" {
			ds.ExpectPubID = expect
		}
		delete(obj, "expectPubId")
	}
	var del bool
	if raw, ok := obj["delete"]; ok && json.Unmarshal(raw, &del) == nil && del {
		ds.Spec = nil
		return
	}
	delete(obj, "delete")
	ds.Spec, _ = json.Marshal(obj)
}
