package postgres

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/flowctl/flowctl/pkg/connector/capture"
)

// config is the endpoint config, shaped as Estuary's source-postgres config (address, user, password,
// database and an "advanced" section), with publication and slot accepted at the top level too.
type config struct {
	Address     string   `json:"address"`
	User        string   `json:"user"`
	Password    string   `json:"password"`
	Database    string   `json:"database"`
	Publication string   `json:"publication,omitempty"`
	Slot        string   `json:"slot,omitempty"`
	Advanced    advanced `json:"advanced,omitzero"`
}

type advanced struct {
	PublicationName string `json:"publicationName,omitempty"`
	SlotName        string `json:"slotName,omitempty"`
	WatermarksTable string `json:"watermarksTable,omitempty"`
	ChunkSize       int    `json:"backfill_chunk_size,omitempty"`
}

// resource names one table.
type resource struct {
	Namespace string `json:"namespace"`
	Stream    string `json:"stream"`
}

// Defaults as Estuary's connector has them.
const (
	defaultPublication = "flow_publication"
	defaultSlot        = "flow_slot"
	defaultWatermarks  = "public.flow_watermarks"
	defaultChunkSize   = 50000
)

func parseConfig(raw json.RawMessage) (*config, error) {
	var c config
	if err := capture.DecodeConfig(raw, "source-postgres config", &c); err != nil {
		return nil, err
	}
	var missing []string
	for name, v := range map[string]string{"address": c.Address, "user": c.User, "database": c.Database} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) != 0 {
		return nil, fmt.Errorf("invalid source-postgres config: %s required (address is host:port)", strings.Join(missing, ", "))
	}
	if _, _, err := net.SplitHostPort(c.Address); err != nil {
		c.Address = net.JoinHostPort(c.Address, "5432")
	}
	if c.Advanced.PublicationName == "" {
		c.Advanced.PublicationName = firstNonEmpty(c.Publication, defaultPublication)
	}
	if c.Advanced.SlotName == "" {
		c.Advanced.SlotName = firstNonEmpty(c.Slot, defaultSlot)
	}
	if c.Advanced.WatermarksTable == "" {
		c.Advanced.WatermarksTable = defaultWatermarks
	}
	if !strings.Contains(c.Advanced.WatermarksTable, ".") {
		return nil, fmt.Errorf("invalid source-postgres config: watermarksTable %q must be schema-qualified, like public.flow_watermarks", c.Advanced.WatermarksTable)
	}
	if c.Advanced.ChunkSize <= 0 {
		c.Advanced.ChunkSize = defaultChunkSize
	}
	return &c, nil
}

// connString builds a connection URL; times are read in UTC so captured timestamps are stable.
func (c *config) connString() string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(c.User, c.Password), Host: c.Address, Path: "/" + c.Database}
	u.RawQuery = url.Values{"timezone": {"UTC"}, "sslmode": {"prefer"}}.Encode()
	return u.String()
}

func parseResource(raw json.RawMessage, binding int) (resource, error) {
	var r resource
	if err := capture.DecodeConfig(raw, fmt.Sprintf("resource config of binding %d", binding), &r); err != nil {
		return r, err
	}
	if r.Namespace == "" || r.Stream == "" {
		return r, fmt.Errorf("invalid resource config of binding %d: namespace (schema) and stream (table) are both required", binding)
	}
	return r, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

var configSchema = json.RawMessage(`{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "PostgreSQL Connection",
  "type": "object",
  "properties": {
    "address": {"type": "string", "title": "Server Address", "description": "host:port of the database (port defaults to 5432)."},
    "user": {"type": "string", "title": "User", "default": "flow_capture"},
    "password": {"type": "string", "title": "Password", "secret": true},
    "database": {"type": "string", "title": "Database", "default": "postgres"},
    "publication": {"type": "string", "description": "Shorthand for advanced.publicationName."},
    "slot": {"type": "string", "description": "Shorthand for advanced.slotName."},
    "advanced": {
      "type": "object",
      "properties": {
        "publicationName": {"type": "string", "default": "flow_publication"},
        "slotName": {"type": "string", "default": "flow_slot"},
        "watermarksTable": {"type": "string", "default": "public.flow_watermarks"},
        "backfill_chunk_size": {"type": "integer", "default": 50000, "minimum": 1}
      }
    }
  },
  "required": ["address", "user", "password", "database"]
}`)

var resourceSchema = json.RawMessage(`{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "Table",
  "type": "object",
  "properties": {
    "namespace": {"type": "string", "title": "Schema"},
    "stream": {"type": "string", "title": "Table"}
  },
  "required": ["namespace", "stream"]
}`)
