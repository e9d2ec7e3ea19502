package runtime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/flowctl/flowctl/pkg/catalog"
)

// taskRun is one task of the runtime: how to run its shard, its stats, and, while it runs, how
// to stop it.
type taskRun struct {
	name, kind string
	// fingerprint changes when anything the shard runs with changes, so that Update restarts
	// exactly the changed tasks.
	fingerprint string
	stats       statsCell
	// run runs the shard's transactions with ctx until stop ends, then commits the transaction in
	// progress and returns.
	run      func(ctx, stop context.Context, stats *statsCell) error
	finite   bool          // a capture, done when its connector exits
	interval time.Duration // a capture's interval between runs (0: Flow's default)

	stop     context.CancelFunc // nil until started
	done     chan struct{}      // closed when its supervisor returns
	previous *taskRun           // the version an Update replaces, until this one starts
}

// key identifies a task across catalog versions.
func (t *taskRun) key() string { return t.kind + "/" + t.name }

// tasksOf returns the enabled tasks of a built catalog, run in env (whose built is this catalog).
func tasksOf(env *shardEnv) []*taskRun {
	built := env.built
	var out []*taskRun
	add := func(t *taskRun, fingerprint ...any) {
		t.fingerprint = fingerprintOf(fingerprint...)
		t.stats.s.Task, t.stats.s.Type = t.name, t.kind
		out = append(out, t)
	}
	for _, c := range built.Captures {
		if c.Def.Shards != nil && c.Def.Shards.Disable {
			continue
		}
		var targets []any
		for _, b := range c.Bindings {
			targets = append(targets, b.Resource, collectionOrName(env, b.Target))
		}
		add(&taskRun{name: c.Name, kind: TaskCapture, finite: true, interval: c.Interval,
			run: func(ctx, stop context.Context, s *statsCell) error { return runCapture(ctx, stop, env, c, s) }},
			c.Def, endpointConfig(c.Name, c.Def.Endpoint), targets)
	}
	for _, c := range built.Collections {
		d := c.Derivation
		if d == nil || (d.Def.Shards != nil && d.Def.Shards.Disable) {
			continue
		}
		parts := []any{collectionOrName(env, c), d.Def, d.Migrations}
		for _, t := range d.Transforms {
			parts = append(parts, t.Name, t.Def, t.Lambda, t.Statements, collectionOrName(env, t.Source))
		}
		add(&taskRun{name: c.Name, kind: TaskDerivation,
			run: func(ctx, stop context.Context, s *statsCell) error { return runDerivation(ctx, stop, env, c, s) }},
			parts...)
	}
	for _, m := range built.Materializations {
		if m.Def.Shards != nil && m.Def.Shards.Disable {
			continue
		}
		var sources []any
		for _, b := range m.Bindings {
			sources = append(sources, b.Resource, collectionOrName(env, b.Source))
		}
		add(&taskRun{name: m.Name, kind: TaskMaterialization,
			run: func(ctx, stop context.Context, s *statsCell) error { return runMaterialization(ctx, stop, env, m, s) }},
			m.Def, endpointConfig(m.Name, m.Def.Endpoint), sources)
	}
	return out
}

// endpointConfig is an endpoint's config as its connector gets it (relative paths resolved), or
// the error that keeps it from running.
func endpointConfig(task string, ep catalog.Endpoint) string {
	_, _, config, err := endpointOf(task, ep)
	if err != nil {
		return err.Error()
	}
	return string(config)
}

// collectionOrName is a collection as connectors see it (its schemas, key and projections), or
// its name if that cannot be built (the task then fails with the reason when it runs).
func collectionOrName(env *shardEnv, c *catalog.BuiltCollection) any {
	spec, err := collectionSpec(env.built, c)
	if err != nil {
		return c.Name
	}
	return spec
}

// fingerprintOf hashes a task's definition. Positions (line and column of a value in its file)
// are left out, so that editing another part of a file restarts nothing.
func fingerprintOf(parts ...any) string {
	h := sha256.New()
	for _, p := range parts {
		b, err := json.Marshal(p)
		if err != nil {
			b = []byte(err.Error())
		}
		var v any
		if json.Unmarshal(b, &v) == nil {
			b, _ = json.Marshal(withoutPositions(v))
		}
		h.Write(b)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// withoutPositions drops catalog positions ({url, line, col, pointer}): where a value is written
// is not what a task runs with. (Relative paths, which do depend on the file, are fingerprinted
// resolved, as endpointConfig.)
func withoutPositions(v any) any {
	switch v := v.(type) {
	case map[string]any:
		_, hasLine := v["line"]
		_, hasPointer := v["pointer"]
		if hasLine && hasPointer {
			return nil
		}
		for k, e := range v {
			v[k] = withoutPositions(e)
		}
	case []any:
		for i, e := range v {
			v[i] = withoutPositions(e)
		}
	}
	return v
}
