package connector

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
)

// stderrLogger turns a connector's stderr into log records: a JSON line is a structured log
// (msg|message, level|lvl, other keys as attributes), any other line a plain message.
type stderrLogger struct {
	logger  *slog.Logger
	done    chan struct{}
	mu      sync.Mutex
	lastMsg string
}

func newStderrLogger(r io.ReadCloser, logger *slog.Logger) *stderrLogger {
	l := &stderrLogger{logger: logger, done: make(chan struct{})}
	go l.run(r)
	return l
}

func (l *stderrLogger) run(r io.ReadCloser) {
	defer close(l.done)
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxMessageSize)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		level, msg, attrs := parseLogLine(line)
		l.mu.Lock()
		l.lastMsg = msg
		l.mu.Unlock()
		l.logger.LogAttrs(context.Background(), level, msg, attrs...)
	}
}

// wait returns once stderr reached its end.
func (l *stderrLogger) wait() { <-l.done }

// last is the most recent log message, for error reports.
func (l *stderrLogger) last() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lastMsg
}

// parseLogLine reads one stderr line. An "error" attribute is appended to the message, since the
// message alone is often too terse to explain a failure.
func parseLogLine(line string) (slog.Level, string, []slog.Attr) {
	var fields map[string]any
	if !strings.HasPrefix(line, "{") || json.Unmarshal([]byte(line), &fields) != nil {
		return slog.LevelInfo, line, nil
	}
	msg := firstString(fields, "msg", "message")
	level := parseLevel(firstString(fields, "level", "lvl"))
	var attrs []slog.Attr
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		switch k {
		case "msg", "message", "level", "lvl", "time", "ts", "timestamp":
			continue
		}
		attrs = append(attrs, slog.Any(k, fields[k]))
	}
	if e, ok := fields["error"]; ok {
		msg = fmt.Sprintf("%s: %v", msg, e)
	}
	if msg == "" {
		msg = line
	}
	return level, msg, attrs
}

func firstString(fields map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := fields[k].(string); ok {
			return s
		}
	}
	return ""
}

func parseLevel(s string) slog.Level {
	switch strings.ToLower(s) {
	case "trace", "debug":
		return slog.LevelDebug
	case "warn", "warning":
		return slog.LevelWarn
	case "error", "fatal", "panic", "critical":
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}
