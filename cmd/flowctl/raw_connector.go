package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	yaml "go.yaml.in/yaml/v3"

	"github.com/flowctl/flowctl/internal/atomicfile"
	"github.com/flowctl/flowctl/internal/cliutil"
	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/connector/fieldsel"

	// The built-in connectors register themselves by image name.
	_ "github.com/flowctl/flowctl/pkg/connector/capture/helloworld"
	_ "github.com/flowctl/flowctl/pkg/connector/capture/httpingest"
	_ "github.com/flowctl/flowctl/pkg/connector/capture/postgres"
	_ "github.com/flowctl/flowctl/pkg/connector/capture/sourcefile"
	_ "github.com/flowctl/flowctl/pkg/connector/materialize"
)

func init() {
	register("raw", newRawSpecCmd)
	register("raw", newRawDiscoverCmd)
	register("raw", newRawValidateCmd)
}

type rawTaskOptions struct {
	source string
	name   string
}

func newRawSpecCmd(f *Factory) *cobra.Command {
	opts := &rawTaskOptions{}
	cmd := &cobra.Command{
		Use:   "spec --source FILE --name TASK",
		Short: "Print a task connector's spec: its config and resource schemas",
		Long: `Spec runs the connector of a capture or materialization of the catalog and prints its
spec response as JSON: the protocol version, the endpoint config and resource config schemas,
the documentation URL and the resource path pointers.`,
		Example: "  flowctl raw spec --source flow.yaml --name acmeCo/hello",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRawSpec(cmd, f, opts)
		},
	}
	taskFlags(cmd, opts, "name of the capture or materialization (required)")
	return cmd
}

func newRawDiscoverCmd(f *Factory) *cobra.Command {
	opts := &rawTaskOptions{}
	cmd := &cobra.Command{
		Use:   "discover --source FILE --name CAPTURE",
		Short: "Discover a capture's resources and write them into the catalog",
		Long: `Discover asks a capture's connector which resources its endpoint offers and writes them into
the catalog file that defines the capture, as Flow's discover does: a binding per new resource,
targeting a new collection <capture prefix>/<recommended name> whose key is the discovered key
and whose schema is written to <recommended name>.schema.yaml beside that file.

Re-running merges: bindings already present (matched by resource path) and collections that
already exist are kept as they are, with the user's edits and comments.`,
		Example: "  flowctl raw discover --source flow.yaml --name acmeCo/source-pg",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRawDiscover(cmd, f, opts)
		},
	}
	taskFlags(cmd, opts, "name of the capture (required)")
	return cmd
}

func newRawValidateCmd(f *Factory) *cobra.Command {
	opts := &rawTaskOptions{}
	cmd := &cobra.Command{
		Use:   "validate --source FILE",
		Short: "Run connector validation of every capture and materialization",
		Long: `Validate builds the catalog, then asks the connector of every capture and materialization
to validate the task, and selects each materialization binding's fields from the connector's
constraints. Every problem is reported with its task, binding and message; any problem exits 1.`,
		Example: "  flowctl raw validate --source flow.yaml",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRawValidate(cmd, f, opts)
		},
	}
	cmd.Flags().StringVar(&opts.source, "source", "", "catalog file path or URL (required)")
	_ = cmd.MarkFlagRequired("source")
	return cmd
}

func taskFlags(cmd *cobra.Command, opts *rawTaskOptions, nameUsage string) {
	cmd.Flags().StringVar(&opts.source, "source", "", "catalog file path or URL (required)")
	cmd.Flags().StringVar(&opts.name, "name", "", nameUsage)
	_ = cmd.MarkFlagRequired("source")
	_ = cmd.MarkFlagRequired("name")
}

func runRawSpec(cmd *cobra.Command, f *Factory, opts *rawTaskOptions) error {
	cat, err := loadCatalog(cmd, f, opts.source)
	if err != nil {
		return err
	}
	copts := connector.Options{Logger: f.Logger}
	var spec *connector.SpecResponse
	if c := findCapture(cat, opts.name); c != nil {
		ep, req, err := taskEndpoint(c.Name, c.Endpoint)
		if err != nil {
			return err
		}
		resp, err := connector.CaptureUnary(cmd.Context(), ep, copts, &connector.CaptureRequest{Spec: &connector.SpecRequest{ConnectorType: req.typ, Config: req.config}})
		if err != nil {
			return err
		}
		spec = resp.Spec
	} else if m := findMaterialization(cat, opts.name); m != nil {
		ep, req, err := taskEndpoint(m.Name, m.Endpoint)
		if err != nil {
			return err
		}
		resp, err := connector.MaterializeUnary(cmd.Context(), ep, copts, &connector.MaterializeRequest{Spec: &connector.SpecRequest{ConnectorType: req.typ, Config: req.config}})
		if err != nil {
			return err
		}
		spec = resp.Spec
	} else {
		return cliutil.Usagef("%s defines no capture or materialization named %q", opts.source, opts.name)
	}
	return cliutil.WriteJSON(f.IO.Out, spec)
}

func findCapture(cat *catalog.Catalog, name string) *catalog.Capture {
	for _, c := range cat.Captures {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func findMaterialization(cat *catalog.Catalog, name string) *catalog.Materialization {
	for _, m := range cat.Materializations {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// endpointConfig is the connector type and config JSON that requests carry.
type endpointConfig struct {
	typ    connector.ConnectorType
	config json.RawMessage
}

// taskEndpoint says how to run a task's connector and with which config.
func taskEndpoint(task string, e catalog.Endpoint) (connector.Endpoint, endpointConfig, error) {
	var cfg *catalog.FileOrInline
	ep := connector.Endpoint{Task: task}
	out := endpointConfig{}
	switch {
	case e.Connector != nil:
		ep.Image, cfg, out.typ = e.Connector.Image, e.Connector.Config, connector.ConnectorTypeImage
	case e.Local != nil:
		ep.Local = &connector.LocalEndpoint{Command: e.Local.Command, Env: e.Local.Env, Protobuf: e.Local.Protobuf}
		cfg, out.typ = e.Local.Config, connector.ConnectorTypeLocal
	default:
		return ep, out, cliutil.Failuref("%s: task %s has neither a connector image nor a local command", e.Scope, task)
	}
	scope := e.Scope.URL
	if ep.Local != nil {
		scope = "" // a local command resolves its own paths, as develop runs it
	}
	var err error
	if out.config, err = jsonOf(cfg, scope); err != nil {
		return ep, out, cliutil.Failuref("%s: the endpoint config of %s: %v", e.Scope, task, err)
	}
	return ep, out, nil
}

// jsonOf encodes a config value; an absent one is an empty object. Its relative `path` is
// resolved as develop resolves it: against its own file, or else scopeURL ("" for none).
func jsonOf(v *catalog.FileOrInline, scopeURL string) (json.RawMessage, error) {
	if v == nil || v.Value == nil {
		return json.RawMessage("{}"), nil
	}
	if _, isText := v.Value.(string); isText && v.URL != "" {
		return nil, fmt.Errorf("%s is not a YAML or JSON file", v.URL)
	}
	if v.URL != "" {
		scopeURL = v.URL
	}
	return json.Marshal(connector.ResolveRelativePath(v.Value, scopeURL))
}

func runRawDiscover(cmd *cobra.Command, f *Factory, opts *rawTaskOptions) error {
	cat, err := loadCatalog(cmd, f, opts.source)
	if err != nil {
		return err
	}
	capture := findCapture(cat, opts.name)
	if capture == nil {
		return cliutil.Usagef("%s defines no capture named %q", opts.source, opts.name)
	}
	ep, req, err := taskEndpoint(capture.Name, capture.Endpoint)
	if err != nil {
		return err
	}
	copts := connector.Options{Logger: f.Logger}
	specResp, err := connector.CaptureUnary(cmd.Context(), ep, copts, &connector.CaptureRequest{Spec: &connector.SpecRequest{ConnectorType: req.typ, Config: req.config}})
	if err != nil {
		return err
	}
	discovered, err := connector.DiscoverBindings(cmd.Context(), ep, copts, &connector.Discover{Name: capture.Name, ConnectorType: req.typ, Config: req.config})
	if err != nil {
		return err
	}
	m, err := newDiscoverMerge(cat, capture, specResp.Spec.ResourcePathPointers)
	if err != nil {
		return err
	}
	for i := range discovered.Bindings {
		if err := m.add(&discovered.Bindings[i]); err != nil {
			return err
		}
	}
	if err := m.write(); err != nil {
		return err
	}
	for _, line := range m.report {
		fmt.Fprintln(f.IO.Out, line)
	}
	return nil
}

// discoverMerge adds discovered bindings and collections to the YAML tree of the catalog file
// that defines a capture, leaving what is already there untouched.
type discoverMerge struct {
	cat      *catalog.Catalog
	capture  *catalog.Capture
	pointers []string
	file     string     // the catalog file to rewrite
	doc      *yaml.Node // its document, with comments
	bindings *yaml.Node // the capture's bindings sequence
	existing map[string]bool
	schemas  map[string][]byte // schema files to write, by path
	report   []string
	// changed is set once a binding or collection is added: only then is the catalog file rewritten,
	// so that a discovery that finds nothing new leaves the user's formatting alone.
	changed bool
}

func newDiscoverMerge(cat *catalog.Catalog, capture *catalog.Capture, pointers []string) (*discoverMerge, error) {
	u, err := url.Parse(capture.Scope.URL)
	if err != nil || u.Scheme != "file" {
		return nil, cliutil.Failuref("capture %s is defined in %s, which is not a local file: discover writes only local catalog files",
			capture.Name, capture.Scope.URL)
	}
	m := &discoverMerge{cat: cat, capture: capture, pointers: pointers, file: u.Path, existing: map[string]bool{}, schemas: map[string][]byte{}}
	if ext := strings.ToLower(filepath.Ext(m.file)); ext == ".json" {
		return nil, cliutil.Failuref("capture %s is defined in the JSON file %s: discover rewrites YAML catalogs only; move it to a .yaml file", capture.Name, m.file)
	}
	raw, err := os.ReadFile(m.file)
	if err != nil {
		return nil, err
	}
	m.doc = &yaml.Node{}
	if err := yaml.Unmarshal(raw, m.doc); err != nil || len(m.doc.Content) == 0 {
		return nil, cliutil.Failuref("%s no longer parses as YAML: %v", m.file, err)
	}
	captureNode := nodeAt(m.doc.Content[0], capture.Scope.Pointer)
	if captureNode == nil || captureNode.Kind != yaml.MappingNode {
		return nil, cliutil.Failuref("%s: cannot find capture %s at %s; was the file changed?", m.file, capture.Name, capture.Scope.Pointer)
	}
	if m.bindings = mappingValue(captureNode, "bindings"); m.bindings == nil {
		m.bindings = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		setMappingValue(captureNode, "bindings", m.bindings)
	}
	for _, b := range capture.Bindings {
		value := any(nil)
		if b.Resource != nil {
			value = b.Resource.Value
		}
		m.existing[m.resourceKey(value)] = true
	}
	return m, nil
}

// resourceKey identifies a resource by its resource path pointers, as Flow matches discovered
// bindings to existing ones; without pointers, by its whole config.
func (m *discoverMerge) resourceKey(resource any) string {
	if len(m.pointers) == 0 {
		raw, _ := json.Marshal(resource) // values decoded from YAML or JSON always encode
		return string(raw)
	}
	parts := make([]string, len(m.pointers))
	for i, ptr := range m.pointers {
		v := resource
		for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
			obj, _ := v.(map[string]any)
			v = obj[strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")]
		}
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, "\x00")
}

func (m *discoverMerge) add(d *connector.DiscoveredBinding) error {
	var resource any
	if err := json.Unmarshal(d.ResourceConfig, &resource); err != nil {
		return fmt.Errorf("capture %s: discovered resource %s is not JSON: %w", m.capture.Name, d.RecommendedName, err)
	}
	if m.existing[m.resourceKey(resource)] {
		m.report = append(m.report, fmt.Sprintf("kept binding of %s", d.RecommendedName))
		return nil
	}
	m.existing[m.resourceKey(resource)] = true
	prefix := m.capture.Name[:strings.LastIndexByte(m.capture.Name, '/')+1]
	collection := prefix + d.RecommendedName

	binding := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	resourceNode, err := blockNode(d.ResourceConfig)
	if err != nil {
		return err
	}
	setMappingValue(binding, "resource", resourceNode)
	if d.Disable {
		setMappingValue(binding, "disable", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	}
	setMappingValue(binding, "target", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: collection})
	m.bindings.Style = 0 // `bindings: []` grows into a block sequence
	m.bindings.Content = append(m.bindings.Content, binding)
	m.report = append(m.report, fmt.Sprintf("added binding of %s to %s", d.RecommendedName, collection))
	m.changed = true

	if slices.ContainsFunc(m.cat.Collections, func(c *catalog.Collection) bool { return c.Name == collection }) {
		m.report = append(m.report, fmt.Sprintf("kept collection %s", collection))
		return nil
	}
	return m.addCollection(collection, d)
}

// addCollection declares a discovered collection in the capture's file, its schema in a file
// beside it. A schema file that is already there is the user's, and is kept.
func (m *discoverMerge) addCollection(collection string, d *connector.DiscoveredBinding) error {
	rel := filepath.ToSlash(filepath.Clean(d.RecommendedName)) + ".schema.yaml"
	if !filepath.IsLocal(rel) {
		return fmt.Errorf("capture %s: recommended name %q does not make a file name under %s", m.capture.Name, d.RecommendedName, filepath.Dir(m.file))
	}
	path := filepath.Join(filepath.Dir(m.file), filepath.FromSlash(rel))
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		schemaNode, err := blockNode(d.DocumentSchema)
		if err != nil {
			return fmt.Errorf("capture %s: the schema of %s: %w", m.capture.Name, d.RecommendedName, err)
		}
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(schemaNode); err != nil {
			return err
		}
		m.schemas[path] = buf.Bytes()
	}
	root := m.doc.Content[0]
	collections := mappingValue(root, "collections")
	if collections == nil {
		collections = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		setMappingValue(root, "collections", collections)
	}
	def := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	setMappingValue(def, "schema", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: rel})
	key := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
	for _, k := range d.Key {
		key.Content = append(key.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k})
	}
	setMappingValue(def, "key", key)
	setMappingValue(collections, collection, def)
	m.report = append(m.report, fmt.Sprintf("added collection %s with schema %s", collection, rel))
	m.changed = true
	return nil
}

// write saves the schema files, then the catalog file if it changed, each atomically.
func (m *discoverMerge) write() error {
	if !m.changed {
		return nil
	}
	for path, content := range m.schemas {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := writeFilePreservingMode(path, content); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(m.doc); err != nil {
		return err
	}
	return writeFilePreservingMode(m.file, buf.Bytes())
}

// writeFilePreservingMode replaces a catalog file atomically, keeping the permissions it had.
func writeFilePreservingMode(path string, content []byte) error {
	mode := os.FileMode(0o644)
	if info, err := os.Stat(path); err == nil {
		mode = info.Mode().Perm()
	}
	return atomicfile.Write(path, content, mode)
}

// blockNode parses JSON into a YAML node tree laid out in block style, as a person writes YAML.
func blockNode(raw json.RawMessage) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, errors.New("empty JSON value")
	}
	var unstyle func(n *yaml.Node)
	unstyle = func(n *yaml.Node) {
		n.Style = 0
		for _, c := range n.Content {
			unstyle(c)
		}
	}
	unstyle(doc.Content[0])
	return doc.Content[0], nil
}

// nodeAt follows a JSON pointer through mappings and sequences.
func nodeAt(n *yaml.Node, ptr string) *yaml.Node {
	if ptr == "" {
		return n
	}
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch n.Kind {
		case yaml.MappingNode:
			n = mappingValue(n, tok)
		case yaml.SequenceNode:
			i := -1
			if _, err := fmt.Sscan(tok, &i); err != nil || i < 0 || i >= len(n.Content) {
				return nil
			}
			n = n.Content[i]
		default:
			return nil
		}
		if n == nil {
			return nil
		}
	}
	return n
}

func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func setMappingValue(m *yaml.Node, key string, value *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = value
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, value)
}

func runRawValidate(cmd *cobra.Command, f *Factory, opts *rawTaskOptions) error {
	built, err := buildForRun(cmd, f, opts.source)
	if err != nil {
		return err
	}
	v := &taskValidator{cmd: cmd, opts: connector.Options{Logger: f.Logger}, schemas: map[*catalog.BuiltCollection]*connector.CollectionSpec{}, cat: built.Catalog}
	var problems []string
	for _, c := range built.Captures {
		problems = append(problems, v.capture(c)...)
	}
	for _, m := range built.Materializations {
		problems = append(problems, v.materialization(m)...)
	}
	for _, p := range problems {
		fmt.Fprintln(f.IO.ErrOut, p)
	}
	if len(problems) > 0 {
		return cliutil.Failuref("connector validation found %d problems", len(problems))
	}
	fmt.Fprintf(f.IO.Out, "%d captures and %d materializations validated by their connectors\n", len(built.Captures), len(built.Materializations))
	return nil
}

// taskValidator runs the connector validation of tasks, building each collection's spec once.
type taskValidator struct {
	cmd     *cobra.Command
	opts    connector.Options
	cat     *catalog.Catalog
	schemas map[*catalog.BuiltCollection]*connector.CollectionSpec
}

func (v *taskValidator) capture(c *catalog.BuiltCapture) []string {
	ep, cfg, err := taskEndpoint(c.Name, c.Def.Endpoint)
	if err != nil {
		return []string{fmt.Sprintf("capture %s: %v", c.Name, err)}
	}
	req := &connector.CaptureValidate{Name: c.Name, ConnectorType: cfg.typ, Config: cfg.config}
	var scopes []catalog.Position
	for _, b := range c.Bindings {
		if b.Def.Disable {
			continue
		}
		// A capture resource's relative path is resolved as develop resolves it; a
		// materialization's is the connector's own (relative to its configured directory).
		coll, resource, err := v.bindingParts(b.Target, connector.ResolveRelativePath(b.Resource, c.Def.Endpoint.Scope.URL))
		if err != nil {
			return []string{fmt.Sprintf("capture %s binding %d (%s): %v", c.Name, len(scopes), b.Def.Target, err)}
		}
		req.Bindings = append(req.Bindings, connector.CaptureValidateBinding{ResourceConfig: resource, Collection: *coll, Backfill: b.Def.Backfill})
		scopes = append(scopes, b.Def.Scope)
	}
	resp, err := connector.ValidateCapture(v.cmd.Context(), ep, v.opts, req)
	if err != nil {
		return []string{fmt.Sprintf("%s: capture %s: %v", c.Def.Scope, c.Name, err)}
	}
	if len(resp.Bindings) != len(req.Bindings) {
		return []string{fmt.Sprintf("%s: capture %s: the connector validated %d bindings of %d", c.Def.Scope, c.Name, len(resp.Bindings), len(req.Bindings))}
	}
	return nil
}

func (v *taskValidator) materialization(m *catalog.BuiltMaterialization) []string {
	ep, cfg, err := taskEndpoint(m.Name, m.Def.Endpoint)
	if err != nil {
		return []string{fmt.Sprintf("materialization %s: %v", m.Name, err)}
	}
	req := &connector.MaterializeValidate{Name: m.Name, ConnectorType: cfg.typ, Config: cfg.config}
	var active []*catalog.BuiltMaterializationBinding
	for _, b := range m.Bindings {
		if b.Def.Disable {
			continue
		}
		coll, resource, err := v.bindingParts(b.Source, b.Resource)
		if err != nil {
			return []string{fmt.Sprintf("materialization %s binding %d (%s): %v", m.Name, len(active), b.Def.Source.Name, err)}
		}
		stanza, err := stanzaOf(b.Def.Fields)
		if err != nil {
			return []string{fmt.Sprintf("%s: materialization %s binding %d: %v", b.Def.Scope, m.Name, len(active), err)}
		}
		req.Bindings = append(req.Bindings, connector.MaterializeValidateBinding{ResourceConfig: resource, Collection: *coll,
			Backfill: b.Def.Backfill, GroupBy: stanza.GroupBy, FieldConfig: stanza.Require})
		active = append(active, b)
	}
	resp, err := connector.ValidateMaterialization(v.cmd.Context(), ep, v.opts, req)
	if err != nil {
		return []string{fmt.Sprintf("%s: materialization %s: %v", m.Def.Scope, m.Name, err)}
	}
	if len(resp.Bindings) != len(req.Bindings) {
		return []string{fmt.Sprintf("%s: materialization %s: the connector validated %d bindings of %d", m.Def.Scope, m.Name, len(resp.Bindings), len(req.Bindings))}
	}
	var problems []string
	for i, b := range active {
		stanza, _ := stanzaOf(b.Def.Fields) // checked above
		_, errs := fieldsel.Select(&req.Bindings[i].Collection, resp.Bindings[i].Constraints, stanza)
		for _, err := range errs {
			problems = append(problems, fmt.Sprintf("%s: materialization %s binding %d (%s): %v", b.Def.Scope, m.Name, i, b.Def.Source.Name, err))
		}
	}
	return problems
}

// bindingParts is a binding's collection spec and resource config JSON.
func (v *taskValidator) bindingParts(c *catalog.BuiltCollection, resource any) (*connector.CollectionSpec, json.RawMessage, error) {
	raw, err := json.Marshal(resource)
	if err != nil {
		return nil, nil, fmt.Errorf("resource config: %w", err)
	}
	if spec, ok := v.schemas[c]; ok {
		return spec, raw, nil
	}
	var write, read json.RawMessage
	if c.Def.Schema != nil {
		write, err = schemaJSON(v.cat, c.Def.Schema)
	} else if write, err = schemaJSON(v.cat, c.Def.WriteSchema); err == nil {
		read, err = schemaJSON(v.cat, c.Def.ReadSchema)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("schema of %s: %w", c.Name, err)
	}
	spec := connector.CollectionSpecOf(c.Name, c.Key, c.PartitionFields, c.Projections, write, read)
	v.schemas[c] = spec
	return spec, raw, nil
}

// schemaJSON is a collection schema's JSON value: inline, or the loaded file's value at the
// reference's fragment pointer.
func schemaJSON(cat *catalog.Catalog, ref *catalog.SchemaRef) (json.RawMessage, error) {
	if ref == nil {
		return nil, nil
	}
	if ref.IsInline {
		return json.Marshal(ref.Inline)
	}
	base, frag, _ := strings.Cut(ref.URL, "#")
	res, ok := cat.Resources[base]
	if !ok {
		return nil, fmt.Errorf("%s was not loaded", base)
	}
	value := res.Content
	if frag != "" && strings.HasPrefix(frag, "/") {
		for _, tok := range strings.Split(frag[1:], "/") {
			tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
			obj, ok := value.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s has no value at %s", base, frag)
			}
			value = obj[tok]
		}
	}
	return json.Marshal(value)
}

// stanzaOf converts a binding's `fields` block for fieldsel; none selects recommended fields.
func stanzaOf(fs *catalog.FieldSelection) (fieldsel.Stanza, error) {
	if fs == nil {
		return fieldsel.Stanza{Recommended: -1}, nil
	}
	s := fieldsel.Stanza{Recommended: fs.Recommended, Exclude: fs.Exclude, GroupBy: fs.GroupBy}
	for field, cfg := range fs.Require {
		raw, err := json.Marshal(cfg)
		if err != nil {
			return s, fmt.Errorf("config of required field %s: %w", field, err)
		}
		if s.Require == nil {
			s.Require = map[string]json.RawMessage{}
		}
		s.Require[field] = raw
	}
	return s, nil
}
