package connector

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// Endpoint says how to run a task's connector: by Image (a built-in, else Docker) or as a Local
// process. Task names the task in errors and logs.
type Endpoint struct {
	Task  string
	Image string
	Local *LocalEndpoint
}

// LocalEndpoint is a catalog's `local:` endpoint: argv run without a shell, with Env added.
type LocalEndpoint struct {
	Command  []string
	Env      map[string]string
	Protobuf bool
}

// Options tune how connectors run. The zero value is usable.
type Options struct {
	Logger      *slog.Logger  // task logs, including the connector's stderr; default slog.Default()
	LogLevel    string        // LOG_LEVEL given to process connectors; default "info"
	GracePeriod time.Duration // see DefaultGracePeriod
}

// describe names the connector of an endpoint for errors: "task acmeCo/x (image ghcr.io/y)".
func (ep Endpoint) describe() string {
	switch {
	case ep.Local != nil:
		return fmt.Sprintf("task %s (local command %s)", ep.Task, strings.Join(ep.Local.Command, " "))
	default:
		return fmt.Sprintf("task %s (image %s)", ep.Task, ep.Image)
	}
}

func (ep Endpoint) connectorType() ConnectorType {
	if ep.Local != nil {
		return ConnectorTypeLocal
	}
	return ConnectorTypeImage
}

func (o Options) logger(ep Endpoint) *slog.Logger {
	l := o.Logger
	if l == nil {
		l = slog.Default()
	}
	return l.With("task", ep.Task)
}

// processArgv returns how to run a non-built-in endpoint as a process and the extra environment.
func (ep Endpoint) processArgv(o Options) ([]string, []string, error) {
	level := o.LogLevel
	if level == "" {
		level = "info"
	}
	if ep.Local != nil {
		if ep.Local.Protobuf {
			return nil, nil, fmt.Errorf("%s: `protobuf: true` is not supported: flowctl speaks the JSON codec only; "+
				"set `protobuf: false` and have the connector use JSON (Estuary's Go connectors: env FLOW_RUNTIME_CODEC: json)", ep.describe())
		}
		env := []string{"LOG_LEVEL=" + level}
		for _, k := range slices.Sorted(maps.Keys(ep.Local.Env)) {
			env = append(env, k+"="+ep.Local.Env[k])
		}
		return ep.Local.Command, env, nil
	}
	if ep.Image == "" {
		return nil, nil, fmt.Errorf("task %s: the endpoint names neither an image nor a local command", ep.Task)
	}
	// Images run their entrypoint directly; FLOW_RUNTIME_CODEC=json makes Estuary's connectors
	// speak the JSON codec, which is the only one flowctl speaks.
	argv := []string{"docker", "run", "--rm", "--interactive", "--init",
		"--env", "LOG_FORMAT=json", "--env", "LOG_LEVEL=" + level, "--env", "FLOW_RUNTIME_CODEC=json", ep.Image}
	return argv, nil, nil
}

// probeDocker reports whether a Docker engine answers `docker info`; tests replace it.
var probeDocker = func(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput()
	if err != nil {
		return fmt.Errorf("`docker info` failed: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}
