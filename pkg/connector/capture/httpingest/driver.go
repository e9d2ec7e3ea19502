// Package httpingest is the built-in ghcr.io/estuary/source-http-ingest capture: an HTTP server that
// turns each POSTed JSON object or array into documents of the binding whose path it was sent to.
// A request is all-or-nothing, and is answered 200 {"published": n} only once the runtime
// acknowledges the checkpoint holding its documents, so a client that saw 200 knows they are durable.
package httpingest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/connector/capture"
)

// Image is the connector image this built-in answers for (any tag).
const Image = "ghcr.io/estuary/source-http-ingest"

func init() {
	connector.RegisterCapture(Image, func(ctx context.Context, stream connector.CaptureServerStream, log *slog.Logger) error {
		return capture.Serve(ctx, stream, log, Driver{})
	})
}

// Driver implements capture.Driver.
type Driver struct{}

var configSchema = json.RawMessage(`{
  "$schema": "https://json-schema.org/draft/2019-09/schema",
  "title": "EndpointConfig",
  "type": "object",
  "properties": {
    "requireAuthToken": {"title": "Authentication token", "type": ["string", "null"], "secret": true, "default": null,
      "description": "Optional bearer token to authenticate webhook requests.\n\nWARNING: If this is empty or unset, then anyone who knows the URL of the connector will be able to write data to your collections."},
    "paths": {"title": "URL paths", "type": "array", "items": {"type": "string", "pattern": "/.+"}, "default": ["/webhook-data"],
      "description": "List of URL paths to accept requests at. Discovery returns a collection for each. Paths may hold parameters, like /vendors/{vendorId}."},
    "port": {"title": "Port", "type": "integer", "minimum": 0, "maximum": 65535, "default": 8080,
      "description": "Port to listen on (flowctl only; the SOURCE_HTTP_INGEST_PORT environment variable overrides it, and 0 picks a free port)."}
  }
}`)

var resourceSchema = json.RawMessage(`{
  "$schema": "https://json-schema.org/draft/2019-09/schema",
  "title": "ResourceConfig",
  "type": "object",
  "properties": {
    "stream": {"type": ["string", "null"], "default": null},
    "path": {"type": ["string", "null"], "default": null,
      "description": "The URL path to use for adding documents to this binding. Defaults to the name of the collection."},
    "idFromHeader": {"type": ["string", "null"], "default": null,
      "description": "Set the /_meta/webhookId from the given HTTP header in each request.\n\nIf not set, then a random id will be generated automatically. If set, then each request will be required to have the header, and the header value will be used as the value of ` + "`/_meta/webhookId`" + `."}
  }
}`)

// Spec implements capture.Driver.
func (Driver) Spec(context.Context, *connector.SpecRequest) (*connector.SpecResponse, error) {
	return &connector.SpecResponse{
		ConfigSchema:         configSchema,
		ResourceConfigSchema: resourceSchema,
		DocumentationURL:     "https://go.estuary.dev/http-ingest",
		ResourcePathPointers: []string{"/stream"},
	}, nil
}

// Discover implements capture.Driver: a binding per configured path, else one "webhook-data"
// binding that receives requests at its collection's name; keyed by /_meta/webhookId.
func (Driver) Discover(_ context.Context, req *connector.Discover) (*connector.Discovered, error) {
	cfg, err := parseConfig(req.Config)
	if err != nil {
		return nil, err
	}
	out := &connector.Discovered{}
	for _, p := range cfg.Paths {
		out.Bindings = append(out.Bindings, discoveredBinding(&p))
	}
	if len(out.Bindings) == 0 {
		out.Bindings = append(out.Bindings, discoveredBinding(nil))
	}
	return out, nil
}

func discoveredBinding(path *string) connector.DiscoveredBinding {
	res := resource{Stream: path, Path: path}
	name := defaultStream
	required := []string{"webhookId", "receivedAt"}
	pathParams := map[string]any{"type": "object", "description": "Parameters extracted from the path of the request, if configured"}
	if path != nil {
		name = strings.Trim(*path, "/")
		var params []string
		props := map[string]any{}
		for _, s := range newRoute(*path).segments {
			if p, ok := paramName(s); ok {
				params = append(params, p)
				props[p] = map[string]any{"type": "string", "description": "The value of the path parameter"}
			}
		}
		if len(params) > 0 {
			// Only new tasks can have parameters, so requiring them breaks no existing data.
			required = append(required, "pathParams")
			pathParams["properties"], pathParams["required"] = props, params
		}
	}
	schema := map[string]any{
		"type":           "object",
		"x-infer-schema": true,
		"required":       []string{"_meta"},
		"properties": map[string]any{"_meta": map[string]any{
			"type":        "object",
			"description": "These fields are automatically added by the connector, and do not need to be specified in the request body",
			"required":    required,
			"properties": map[string]any{
				"webhookId": map[string]any{"type": "string", "description": "The id of the webhook request, which is automatically added by the connector"},
				"headers": map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"},
					"description": "HTTP headers that were sent with the request will get added here. Headers that are known to be sensitive or not useful will not be included"},
				"receivedAt": map[string]any{"type": "string", "format": "date-time", "description": "Timestamp of when the request was received by the connector"},
				"reqPath": map[string]any{"type": "string",
					"description": "The configured path at which the request was received. Will include parameter placeholders if the path has them"},
				"pathParams": pathParams,
			},
		}},
	}
	return connector.DiscoveredBinding{
		RecommendedName: name,
		ResourceConfig:  capture.MustJSON(res),
		DocumentSchema:  capture.MustJSON(schema),
		Key:             []string{"/_meta/webhookId"},
		IsFallbackKey:   true,
		ResourcePath:    res.resourcePath(),
	}
}

// Validate implements capture.Driver: bindings' paths must not overlap, and every path of the
// endpoint config must belong to a binding.
func (Driver) Validate(_ context.Context, req *connector.CaptureValidate) (*connector.CaptureValidated, error) {
	cfg, err := parseConfig(req.Config)
	if err != nil {
		return nil, err
	}
	out := &connector.CaptureValidated{}
	var urlPaths []string
	for i, b := range req.Bindings {
		res, err := parseResource(b.ResourceConfig, i)
		if err != nil {
			return nil, err
		}
		urlPaths = append(urlPaths, res.urlPath(b.Collection))
		out.Bindings = append(out.Bindings, connector.CaptureValidatedBinding{ResourcePath: res.resourcePath()})
	}
	if err := checkRoutes(urlPaths); err != nil {
		return nil, err
	}
	var missing []string
	for _, p := range cfg.Paths {
		if !slices.Contains(urlPaths, p) {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("endpoint config contains paths [%s], which are not represented in the list of bindings: add a binding with each path, or remove it from paths",
			strings.Join(missing, ", "))
	}
	return out, nil
}
