package helloworld

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/connector/capture/internal/capturetest"
)

func spec(rate string, bindings ...string) *connector.CaptureSpec {
	s := &connector.CaptureSpec{Name: "acmeCo/hello", ConnectorType: connector.ConnectorTypeImage,
		Config: json.RawMessage(`{"rate":` + rate + `}`)}
	for _, name := range bindings {
		s.Bindings = append(s.Bindings, connector.CaptureBinding{
			ResourceConfig: json.RawMessage(`{"name":"` + name + `","prefix":"Hi {} from ` + name + `"}`),
			ResourcePath:   []string{name},
			Collection:     connector.CollectionSpec{Name: "acmeCo/" + name, Key: []string{"/ts"}},
		})
	}
	return s
}

func TestSpecAndDiscover(t *testing.T) {
	resp, err := capturetest.Unary(t, Image+":v1", &connector.CaptureRequest{Spec: &connector.SpecRequest{Config: json.RawMessage(`{}`)}})
	if err != nil || resp.Spec == nil {
		t.Fatalf("spec: %v %v", resp, err)
	}
	if resp.Spec.Protocol != connector.ProtocolVersion || resp.Spec.ResourcePathPointers[0] != "/name" {
		t.Fatalf("spec = %+v", resp.Spec)
	}
	resp, err = capturetest.Unary(t, Image, &connector.CaptureRequest{Discover: &connector.Discover{Config: json.RawMessage(`{"rate":2}`)}})
	if err != nil || resp.Discovered == nil || len(resp.Discovered.Bindings) != 1 {
		t.Fatalf("discover: %v %v", resp, err)
	}
	b := resp.Discovered.Bindings[0]
	if b.RecommendedName != "events" || b.Key[0] != "/ts" || string(b.ResourceConfig) != `{"name":"events","prefix":"Hello {}!"}` {
		t.Fatalf("discovered binding = %+v", b)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct{ config, want string }{
		{`{}`, "rate must be a number of documents per second above 0"},
		{`{"rate":-1}`, "above 0, got -1"},
		{`{"rate":1,"speed":2}`, `unknown field "speed"`},
		{`{"rate":"fast"}`, "invalid source-hello-world config"},
	} {
		_, err := capturetest.Unary(t, Image, &connector.CaptureRequest{Discover: &connector.Discover{Config: json.RawMessage(tc.config)}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("config %s: error %v, want %q", tc.config, err, tc.want)
		}
	}
	_, err := capturetest.Unary(t, Image, &connector.CaptureRequest{Validate: &connector.CaptureValidate{
		Name: "acmeCo/hello", Config: json.RawMessage(`{"rate":1}`),
		Bindings: []connector.CaptureValidateBinding{{ResourceConfig: json.RawMessage(`{"prefix":"x"}`)}},
	}})
	if err == nil || !strings.Contains(err.Error(), "binding 0: name is required") {
		t.Errorf("validate without a name: %v", err)
	}
}

func TestGreetingsCountAcrossRestart(t *testing.T) {
	s, opened := capturetest.Open(t, Image, spec("1000", "a", "b"), nil)
	if opened.ExplicitAcknowledgements {
		t.Error("hello-world asked for explicit acknowledgements")
	}
	docs, states := s.Checkpoints(t, 6)
	s.Close()
	for i, d := range docs {
		name := []string{"a", "b"}[i%2]
		if want := fmt.Sprintf("Hi %d from %s", i/2+1, name); d.Binding != i%2 || d.Doc["message"] != want {
			t.Fatalf("doc %d = %v (binding %d), want %q on binding %d", i, d.Doc, d.Binding, want, i%2)
		}
		if _, err := time.Parse(time.RFC3339Nano, d.Doc["ts"].(string)); err != nil {
			t.Fatalf("doc %d ts: %v", i, err)
		}
	}
	if got := string(states[5].Updated); got != `{"bindingStateV1":{"b":3}}` || !states[5].MergePatch {
		t.Fatalf("last checkpoint = %s (merge %v)", got, states[5].MergePatch)
	}
	state := capturetest.ApplyStates(t, nil, states)
	if string(state) != `{"bindingStateV1":{"a":3,"b":3}}` {
		t.Fatalf("merged state = %s", state)
	}

	// A new session continues each binding's numbering from the committed state.
	s, _ = capturetest.Open(t, Image, spec("1000", "a", "b"), state)
	docs, _ = s.Checkpoints(t, 2)
	if docs[0].Doc["message"] != "Hi 4 from a" || docs[1].Doc["message"] != "Hi 4 from b" {
		t.Fatalf("after restart: %v", docs)
	}
}

func TestRateIsRespected(t *testing.T) {
	// At 40 docs/s, 9 greetings after the first need at least 9/40 s: a lower bound only, which a slow
	// machine cannot break.
	s, _ := capturetest.Open(t, Image, spec("40", "a"), nil)
	start := time.Now()
	s.Checkpoints(t, 10)
	if elapsed, min := time.Since(start), 9*time.Second/40; elapsed < min {
		t.Fatalf("10 greetings at 40/s took %v, less than %v", elapsed, min)
	}
}

func TestUniqueClockIncreases(t *testing.T) {
	c := newUniqueClock()
	prev := c.next()
	for range 1000 {
		next := c.next()
		if !next.After(prev) {
			t.Fatalf("clock went from %v to %v", prev, next)
		}
		prev = next
	}
}
