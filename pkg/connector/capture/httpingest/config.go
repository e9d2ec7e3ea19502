package httpingest

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/connector/capture"
)

// defaultPort is where the server listens unless the config or PortEnv says otherwise.
const defaultPort = 8080

// PortEnv names the environment variable that overrides the listening port, as Flow's connector has it.
const PortEnv = "SOURCE_HTTP_INGEST_PORT"

// defaultStream is the resource path of a binding without a stream, as Flow names it.
const defaultStream = "webhook-data"

// config is the endpoint config. Port is flowctl's addition (Flow's image always listens on 8080).
type config struct {
	RequireAuthToken *string  `json:"requireAuthToken"`
	Paths            []string `json:"paths,omitempty"`
	Port             *int     `json:"port,omitempty"`
}

// resource is a binding's resource config; null and absent fields mean the same.
type resource struct {
	Stream       *string `json:"stream"`
	Path         *string `json:"path"`
	IDFromHeader *string `json:"idFromHeader"`
}

func parseConfig(raw json.RawMessage) (config, error) {
	var cfg config
	if err := capture.DecodeConfig(raw, "source-http-ingest config", &cfg); err != nil {
		return cfg, err
	}
	for _, p := range cfg.Paths {
		if !strings.HasPrefix(p, "/") || len(p) < 2 {
			return cfg, fmt.Errorf("invalid source-http-ingest config: path %q must start with / and name something, like /webhook-data", p)
		}
	}
	if cfg.Port != nil && (*cfg.Port < 0 || *cfg.Port > 65535) {
		return cfg, fmt.Errorf("invalid source-http-ingest config: port %d is not between 0 and 65535", *cfg.Port)
	}
	return cfg, nil
}

// port returns the port to listen on: PortEnv if set, else the config's, else 8080. Port 0 picks a
// free port, which ListenAddr then reports.
func (c config) port() (int, error) {
	if env, ok := os.LookupEnv(PortEnv); ok {
		port, err := strconv.Atoi(env)
		if err != nil || port < 0 || port > 65535 {
			return 0, fmt.Errorf("%s=%q is not a port number between 0 and 65535", PortEnv, env)
		}
		return port, nil
	}
	if c.Port != nil {
		return *c.Port, nil
	}
	return defaultPort, nil
}

func parseResource(raw json.RawMessage, binding int) (resource, error) {
	var res resource
	err := capture.DecodeConfig(raw, fmt.Sprintf("resource config of binding %d", binding), &res)
	return res, err
}

// resourcePath names the binding: its stream, else Flow's default.
func (r resource) resourcePath() []string {
	if r.Stream != nil && *r.Stream != "" {
		return []string{*r.Stream}
	}
	return []string{defaultStream}
}

// urlPath is where the binding receives requests: its path, else its collection's name, always
// with a leading slash.
func (r resource) urlPath(collection connector.CollectionSpec) string {
	p := collection.Name
	if r.Path != nil && *r.Path != "" {
		p = *r.Path
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p
}

// idHeader is the header that supplies /_meta/webhookId, or "" for a random UUID.
func (r resource) idHeader() string {
	if r.IDFromHeader == nil {
		return ""
	}
	return *r.IDFromHeader
}
