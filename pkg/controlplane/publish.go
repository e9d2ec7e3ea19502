package controlplane

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/flowctl/flowctl/pkg/controlplane/api"
)

// Publish builds one of the principal's drafts over the live catalog and, unless it is a dry run,
// commits it: the drafted specs become live under a new publication id, their history is kept, and
// the draft is deleted. A draft with errors changes nothing and is kept, so it can be fixed.
func (cp *ControlPlane) Publish(ctx context.Context, p *Principal, draftID string, req api.PublishRequest) (api.Publication, error) {
	s := cp.Store
	d, err := s.GetDraft(ctx, p, draftID)
	if err != nil {
		return api.Publication{}, err
	}
	if len(d.Specs) == 0 {
		return api.Publication{}, badRequestf("draft %s has no specs: add some with `flowctl draft author --source FILE`", d.ID)
	}
	plan, err := cp.plan(ctx, p, d)
	if err != nil {
		return api.Publication{}, err
	}
	pub := api.Publication{DraftID: d.ID, DryRun: req.DryRun, Detail: req.Detail, Published: []string{}, Deleted: []string{}}
	for _, c := range plan.changes {
		if c.deletion() {
			pub.Deleted = append(pub.Deleted, c.name)
		} else {
			pub.Published = append(pub.Published, c.name)
		}
	}
	if req.DryRun || req.RunTests {
		if err := cp.runTests(ctx, plan.catalog, &pub); err != nil {
			return api.Publication{}, err
		}
	}
	if req.DryRun {
		return pub, nil
	}
	pub.ID, pub.PublishedAt, err = s.commit(ctx, p, d.ID, req.Detail, plan.changes)
	if err != nil {
		return api.Publication{}, err
	}
	cp.applyToDataPlane(ctx, pub.ID, p.User, pub.PublishedAt, plan.changes)
	return pub, nil
}

// change is one drafted spec as a publication applies it.
type change struct {
	name      string
	specType  api.SpecType
	raw       []byte // canonical JSON; nil for a deletion
	spec      any
	refs      []string
	live      *liveSpec
	expectPub string
}

func (c change) deletion() bool { return c.raw == nil }

type publicationPlan struct {
	changes []change
	catalog map[string]BuildSpec
}

// plan authorises and builds a draft, returning what to commit or a build_failed error.
func (cp *ControlPlane) plan(ctx context.Context, p *Principal, d api.Draft) (publicationPlan, error) {
	var changes []change
	var problems []api.BuildError
	wanted := map[string]bool{}
	for _, ds := range d.Specs {
		// Grants may have changed since the spec was drafted.
		if !p.Can(Write, ds.CatalogName) {
			return publicationPlan{}, forbiddenf("you have no write grant on %q", ds.CatalogName)
		}
		c := change{name: ds.CatalogName, specType: ds.SpecType, expectPub: ds.ExpectPubID}
		wanted[c.name] = true
		if !ds.IsDeletion() {
			var err error
			if c.raw, c.spec, err = canonicalSpec(ds.Spec, ds.SpecType); err != nil {
				return publicationPlan{}, err
			}
			c.refs = references(c.specType, c.spec)
			for _, r := range c.refs {
				if !p.Can(Read, r) {
					return publicationPlan{}, forbiddenf("%s references %q, on which you have no read grant", c.name, r)
				}
				wanted[r] = true
			}
		}
		changes = append(changes, c)
	}
	names := make([]string, 0, len(wanted))
	for n := range wanted {
		names = append(names, n)
	}
	live, err := cp.Store.loadLive(ctx, names)
	if err != nil {
		return publicationPlan{}, err
	}
	catalog := map[string]BuildSpec{}
	for n, l := range live {
		catalog[n] = BuildSpec{Type: l.specType, Spec: l.spec}
	}
	var drafted []string
	for i := range changes {
		c := &changes[i]
		if l, ok := live[c.name]; ok {
			c.live = &l
		}
		problems = append(problems, checkAgainstLive(*c)...)
		if c.deletion() {
			if c.live != nil {
				c.specType = c.live.specType
			}
			delete(catalog, c.name)
			continue
		}
		catalog[c.name] = BuildSpec{Type: c.specType, Spec: c.spec}
		drafted = append(drafted, c.name)
	}
	draftedNames := map[string]bool{}
	for _, c := range changes {
		draftedNames[c.name] = true
	}
	for _, c := range changes {
		if c.deletion() && c.live != nil {
			stillUsed, err := cp.stillReferenced(ctx, p, c.name, draftedNames)
			if err != nil {
				return publicationPlan{}, err
			}
			problems = append(problems, stillUsed...)
		}
	}
	for _, c := range changes {
		if !c.deletion() && c.live == nil {
			clashes, err := cp.prefixClashes(ctx, p, c.name, draftedNames)
			if err != nil {
				return publicationPlan{}, err
			}
			problems = append(problems, clashes...)
		}
	}
	problems = append(problems, cp.Builder.Build(ctx, catalog, drafted)...)
	if len(problems) > 0 {
		sortProblems(problems)
		return publicationPlan{}, &Error{Status: http.StatusUnprocessableEntity, Code: api.CodeBuildFailed,
			Message: fmt.Sprintf("draft %s has %d error(s); nothing was published: fix them and publish again", d.ID, len(problems)),
			Details: problems}
	}
	return publicationPlan{changes: changes, catalog: catalog}, nil
}

// checkAgainstLive checks expectPubId, deletions of missing specs, type changes and Flow's refused
// transitions.
func checkAgainstLive(c change) []api.BuildError {
	fail := func(format string, args ...any) []api.BuildError {
		return []api.BuildError{{CatalogName: c.name, Message: fmt.Sprintf(format, args...)}}
	}
	actual := api.NoPubID
	if c.live != nil {
		actual = c.live.lastPubID
	}
	if c.expectPub != "" && c.expectPub != actual {
		return fail("expected publication ID %s was not matched (it's actually %s): your changes have already been published or another publication has modified this spec; please try again with a fresh copy of the spec", c.expectPub, actual)
	}
	switch {
	case c.deletion() && c.live == nil:
		return fail("drafted deletion references a specification that does not exist")
	case c.deletion() || c.live == nil:
		return nil
	case c.live.specType != c.specType:
		return fail("%s is a live %s and cannot become a %s: delete it first, then publish the %s", c.name, c.live.specType, c.specType, c.specType)
	}
	return checkTransition(c.name, c.specType, c.live.spec, c.spec)
}

// stillReferenced reports live specs that would be left referencing a deleted spec. Referrers the
// principal cannot read are counted, not named. Drafted referrers are skipped: they are deleted too,
// or the builder checks their new references.
func (cp *ControlPlane) stillReferenced(ctx context.Context, p *Principal, name string, drafted map[string]bool) ([]api.BuildError, error) {
	referrers, err := cp.Store.referrers(ctx, name)
	if err != nil {
		return nil, err
	}
	var errs []api.BuildError
	hidden := 0
	for _, r := range referrers {
		if drafted[r] {
			continue
		}
		if !p.Can(Read, r) {
			hidden++
			continue
		}
		errs = append(errs, api.BuildError{CatalogName: name, Message: fmt.Sprintf("deleted %s is still referenced by %s", name, r)})
	}
	if hidden > 0 {
		errs = append(errs, api.BuildError{CatalogName: name,
			Message: fmt.Sprintf("deleted %s is still referenced by %d spec(s) outside your grants", name, hidden)})
	}
	return errs, nil
}

// prefixClashes applies Flow's rule that no name may be a prefix of another at a '/' (acmeCo/x and
// acmeCo/x/y cannot both exist) to a new name against every live spec, including those the
// principal cannot read, which are counted but not named. Live specs deleted by the draft are fine.
func (cp *ControlPlane) prefixClashes(ctx context.Context, p *Principal, name string, drafted map[string]bool) ([]api.BuildError, error) {
	clashing, err := cp.Store.hierarchicalNames(ctx, name)
	if err != nil {
		return nil, err
	}
	var errs []api.BuildError
	for _, other := range clashing {
		if drafted[other] {
			continue
		}
		lhs, rhs := name, other
		if len(other) < len(name) {
			lhs, rhs = other, name
		}
		if !p.Can(Read, other) {
			errs = append(errs, api.BuildError{CatalogName: name, Message: fmt.Sprintf(
				"%s collides with a live spec outside your grants: a name cannot be a prefix of another at a '/'; choose another name", name)})
			continue
		}
		errs = append(errs, api.BuildError{CatalogName: name, Message: fmt.Sprintf("%s is a prohibited prefix of %s", lhs, rhs)})
	}
	return errs, nil
}

func sortProblems(errs []api.BuildError) {
	sort.SliceStable(errs, func(i, j int) bool {
		if errs[i].CatalogName != errs[j].CatalogName {
			return errs[i].CatalogName < errs[j].CatalogName
		}
		return errs[i].Pointer < errs[j].Pointer
	})
}

func (cp *ControlPlane) runTests(ctx context.Context, catalog map[string]BuildSpec, pub *api.Publication) error {
	if cp.Tests == nil {
		pub.TestsSkipped = "this flowd has no test runner; run `flowctl test` locally"
		return nil
	}
	ran, failures, err := cp.Tests.RunTests(ctx, catalog)
	if err != nil {
		return err
	}
	pub.TestsRun = ran
	if len(failures) > 0 {
		return &Error{Status: http.StatusUnprocessableEntity, Code: api.CodeBuildFailed,
			Message: fmt.Sprintf("%d of %d test(s) failed; nothing was published", len(failures), ran), Details: failures}
	}
	return nil
}

// commit makes the changes live in one transaction. Each live spec is updated only if it is still
// the version the plan was built against, so of two concurrent publications of a spec one fails.
func (s *Store) commit(ctx context.Context, p *Principal, draftID, detail string, changes []change) (string, string, error) {
	var pubID, at string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if pubID, err = s.nextPubID(ctx, tx); err != nil {
			return err
		}
		at = now()
		if _, err := s.exec(ctx, tx, `INSERT INTO publications (id, user_name, draft_id, detail, published_at) VALUES (?, ?, ?, ?, ?)`,
			pubID, p.User, draftID, detail, at); err != nil {
			return err
		}
		for _, c := range changes {
			if err := s.applyChange(ctx, tx, p, pubID, at, c); err != nil {
				return err
			}
		}
		if err := s.recordChanges(ctx, tx, pubID, changes); err != nil {
			return err
		}
		return s.deleteDraftTx(ctx, tx, draftID)
	})
	return pubID, at, err
}

// applyChange makes one change live, if its live spec is still the version the plan was built on.
func (s *Store) applyChange(ctx context.Context, tx *sql.Tx, p *Principal, pubID, at string, c change) error {
	var res sql.Result
	var err error
	switch {
	case c.deletion():
		res, err = s.exec(ctx, tx, `DELETE FROM live_specs WHERE catalog_name = ? AND last_pub_id = ?`, c.name, c.live.lastPubID)
	case c.live != nil:
		res, err = s.exec(ctx, tx, `UPDATE live_specs SET spec_type = ?, spec = ?, last_pub_id = ?, last_pub_user = ?, updated_at = ?
			WHERE catalog_name = ? AND last_pub_id = ?`, string(c.specType), string(c.raw), pubID, p.User, at, c.name, c.live.lastPubID)
	default:
		res, err = s.exec(ctx, tx, `INSERT INTO live_specs (catalog_name, spec_type, spec, last_pub_id, last_pub_user, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (catalog_name) DO NOTHING`, c.name, string(c.specType), string(c.raw), pubID, p.User, at)
	}
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		if c.expectPub != "" {
			return conflictf("expected publication ID %s of %s was not matched: another publication has modified this spec; nothing was published: pull a fresh copy and try again", c.expectPub, c.name)
		}
		return conflictf("%s was changed by another publication while this one was being built; nothing was published: publish again", c.name)
	}
	return nil
}

// recordChanges replaces the references of the changed specs and adds them to the history.
func (s *Store) recordChanges(ctx context.Context, tx *sql.Tx, pubID string, changes []change) error {
	var history, refs [][]any
	names := make([]any, 0, len(changes))
	for _, c := range changes {
		names = append(names, c.name)
		var spec any // NULL records a deletion
		if !c.deletion() {
			spec = string(c.raw)
		}
		history = append(history, []any{pubID, c.name, string(c.specType), spec})
		for _, r := range c.refs {
			refs = append(refs, []any{c.name, r})
		}
	}
	for start := 0; start < len(names); start += MaxNames {
		chunk := names[start:min(start+MaxNames, len(names))]
		if _, err := s.exec(ctx, tx, `DELETE FROM live_spec_refs WHERE catalog_name IN (`+placeholders(len(chunk))+`)`, chunk...); err != nil {
			return err
		}
	}
	if err := s.insertRows(ctx, tx, `INSERT INTO live_spec_refs (catalog_name, ref_name) VALUES`, "", refs); err != nil {
		return err
	}
	return s.insertRows(ctx, tx, `INSERT INTO publication_specs (pub_id, catalog_name, spec_type, spec) VALUES`, "", history)
}

// nextPubID allocates a publication id: 16 hex digits that sort in publication order. Like Flow's
// ids they follow the clock (milliseconds in the high bits) and stay increasing if the clock steps back.
func (s *Store) nextPubID(ctx context.Context, tx *sql.Tx) (string, error) {
	floor := time.Now().UnixMilli() << 16
	var id int64
	err := s.queryRow(ctx, tx, `UPDATE counters SET value = CASE WHEN value + 1 > ? THEN value + 1 ELSE ? END
		WHERE name = 'publication' RETURNING value`, floor, floor).Scan(&id)
	if err != nil {
		return "", fmt.Errorf("allocating a publication id: %w", err)
	}
	return fmt.Sprintf("%016x", id), nil
}

func (cp *ControlPlane) applyToDataPlane(ctx context.Context, pubID, user, at string, changes []change) {
	if cp.DataPlane == nil {
		return
	}
	changed := make([]api.LiveSpec, 0, len(changes))
	for _, c := range changes {
		changed = append(changed, api.LiveSpec{CatalogName: c.name, SpecType: c.specType, Spec: c.raw,
			LastPubID: pubID, LastPubUser: user, UpdatedAt: at})
	}
	if err := cp.DataPlane.Apply(ctx, pubID, changed); err != nil {
		cp.Logger.Error("data plane failed to apply a publication; it will retry from the live specs",
			"publication", pubID, "error", err)
	}
}
