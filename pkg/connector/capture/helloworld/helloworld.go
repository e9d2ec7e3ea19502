// Package helloworld is the built-in source-hello-world capture: synthetic greetings at a steady rate.
package helloworld

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/connector/capture"
)

// Image is the connector image this built-in answers for (any tag).
const Image = "ghcr.io/estuary/source-hello-world"

func init() {
	connector.RegisterCapture(Image, func(ctx context.Context, stream connector.CaptureServerStream, log *slog.Logger) error {
		return capture.Serve(ctx, stream, log, Driver{})
	})
}

// Driver implements capture.Driver.
type Driver struct{}

type config struct {
	Rate float64 `json:"rate"`
}

type resource struct {
	Name   string `json:"name"`
	Prefix string `json:"prefix,omitempty"`
}

const defaultPrefix = "Hello {}!"

var configSchema = json.RawMessage(`{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "Hello World",
  "type": "object",
  "properties": {
    "rate": {"type": "number", "title": "Rate", "description": "Greetings generated per second, per binding.", "exclusiveMinimum": 0, "default": 1}
  },
  "required": ["rate"]
}`)

var resourceSchema = json.RawMessage(`{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "Greetings",
  "type": "object",
  "properties": {
    "name": {"type": "string", "title": "Name", "description": "Name of this stream of greetings."},
    "prefix": {"type": "string", "title": "Message", "description": "Greeting template; {} is replaced by the greeting's number.", "default": "Hello {}!"}
  },
  "required": ["name"]
}`)

var documentSchema = json.RawMessage(`{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "properties": {
    "ts": {"type": "string", "format": "date-time", "title": "Timestamp", "description": "When the greeting was generated."},
    "message": {"type": "string", "title": "Message"}
  },
  "required": ["ts", "message"]
}`)

// Spec implements capture.Driver.
func (Driver) Spec(context.Context, *connector.SpecRequest) (*connector.SpecResponse, error) {
	return &connector.SpecResponse{
		ConfigSchema:         configSchema,
		ResourceConfigSchema: resourceSchema,
		DocumentationURL:     "https://go.estuary.dev/source-hello-world",
		ResourcePathPointers: []string{"/name"},
	}, nil
}

// Discover implements capture.Driver: one stream of greetings, keyed by timestamp.
func (Driver) Discover(_ context.Context, req *connector.Discover) (*connector.Discovered, error) {
	if _, err := parseConfig(req.Config); err != nil {
		return nil, err
	}
	return &connector.Discovered{Bindings: []connector.DiscoveredBinding{{
		RecommendedName: "events",
		ResourceConfig:  capture.MustJSON(resource{Name: "events", Prefix: defaultPrefix}),
		DocumentSchema:  documentSchema,
		Key:             []string{"/ts"},
		ResourcePath:    []string{"events"},
	}}}, nil
}

// Validate implements capture.Driver.
func (Driver) Validate(_ context.Context, req *connector.CaptureValidate) (*connector.CaptureValidated, error) {
	if _, err := parseConfig(req.Config); err != nil {
		return nil, err
	}
	out := &connector.CaptureValidated{}
	for i, b := range req.Bindings {
		res, err := parseResource(b.ResourceConfig, i)
		if err != nil {
			return nil, err
		}
		out.Bindings = append(out.Bindings, connector.CaptureValidatedBinding{ResourcePath: []string{res.Name}})
	}
	return out, nil
}

// Pull implements capture.Driver: each tick emits one greeting per binding, each followed by a
// merge-patch checkpoint of that binding's count, so a restart continues the numbering.
func (Driver) Pull(ctx context.Context, open *connector.CaptureOpen, session *capture.Session) error {
	cfg, err := parseConfig(open.Capture.Config)
	if err != nil {
		return err
	}
	var prior struct {
		BindingStateV1 map[string]uint64 `json:"bindingStateV1"`
	}
	if len(open.State) != 0 {
		if err := json.Unmarshal(open.State, &prior); err != nil {
			return fmt.Errorf("invalid connector state %s: %w", open.State, err)
		}
	}
	type stream struct {
		stateKey string
		prefix   string
		count    uint64
	}
	streams := make([]stream, len(open.Capture.Bindings))
	for i := range open.Capture.Bindings {
		b := &open.Capture.Bindings[i]
		res, err := parseResource(b.ResourceConfig, i)
		if err != nil {
			return err
		}
		key := capture.StateKey(b)
		streams[i] = stream{stateKey: key, prefix: res.Prefix, count: prior.BindingStateV1[key]}
	}
	if err := session.Opened(false); err != nil {
		return err
	}
	clock := newUniqueClock()
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	next := time.Now()
	for {
		for i := range streams {
			s := &streams[i]
			s.count++
			doc := capture.MustJSON(map[string]string{
				"ts":      clock.next().Format(time.RFC3339Nano),
				"message": strings.ReplaceAll(s.prefix, "{}", strconv.FormatUint(s.count, 10)),
			})
			if err := session.Captured(i, doc); err != nil {
				return err
			}
			if err := session.Checkpoint(map[string]any{"bindingStateV1": map[string]uint64{s.stateKey: s.count}}, true); err != nil {
				return err
			}
		}
		// Pace from a fixed schedule, so time spent sending does not slow the rate down.
		next = next.Add(interval)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Until(next)):
		}
	}
}

func parseConfig(raw json.RawMessage) (config, error) {
	var cfg config
	if err := capture.DecodeConfig(raw, "source-hello-world config", &cfg); err != nil {
		return cfg, err
	}
	if !(cfg.Rate > 0) {
		return cfg, fmt.Errorf("invalid source-hello-world config: rate must be a number of documents per second above 0, got %v", cfg.Rate)
	}
	return cfg, nil
}

func parseResource(raw json.RawMessage, binding int) (resource, error) {
	var res resource
	if err := capture.DecodeConfig(raw, fmt.Sprintf("resource config of binding %d", binding), &res); err != nil {
		return res, err
	}
	if res.Name == "" {
		return res, errors.New("invalid resource config of binding " + strconv.Itoa(binding) + ": name is required")
	}
	if res.Prefix == "" {
		res.Prefix = defaultPrefix
	}
	return res, nil
}

// uniqueClock hands out strictly increasing times: greetings are keyed by /ts, and two greetings in the
// same clock tick must not collapse into one document.
type uniqueClock struct{ last time.Time }

func newUniqueClock() *uniqueClock { return &uniqueClock{} }

func (c *uniqueClock) next() time.Time {
	now := time.Now().UTC()
	if !now.After(c.last) {
		now = c.last.Add(time.Microsecond)
	}
	c.last = now
	return now
}
