package cliutil

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/fatih/color"
)

// NewLogger builds the process logger from --log.level and --log.format (json, text or color).
// "color" falls back to plain text when colour is not allowed (not a terminal, or NO_COLOR).
func NewLogger(w io.Writer, level, format string, colorOK bool) (*slog.Logger, error) {
	var lvl slog.Level
	switch strings.ToLower(level) {
	case "debug", "trace":
		lvl = slog.LevelDebug
	case "info", "":
		lvl = slog.LevelInfo
	case "warn", "warning":
		lvl = slog.LevelWarn
	case "error":
		lvl = slog.LevelError
	default:
		return nil, Usagef("--log.level must be one of debug, info, warn, error, not %q", level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(&humanHandler{w: w, level: lvl, mu: new(sync.Mutex)}), nil
	case "color", "":
		return slog.New(&humanHandler{w: w, level: lvl, color: colorOK, mu: new(sync.Mutex)}), nil
	default:
		return nil, Usagef("--log.format must be one of json, text, color, not %q", format)
	}
}

// humanHandler prints one readable line per record: time, level, message, then key=value attributes.
type humanHandler struct {
	w     io.Writer
	level slog.Level
	color bool
	attrs []slog.Attr
	group string
	mu    *sync.Mutex
}

func (h *humanHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *humanHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Time.Format(time.TimeOnly))
	b.WriteByte(' ')
	lvl := fmt.Sprintf("%-5s", r.Level.String())
	if h.color {
		var c *color.Color
		switch {
		case r.Level >= slog.LevelError:
			c = color.New(color.FgRed, color.Bold)
		case r.Level >= slog.LevelWarn:
			c = color.New(color.FgYellow)
		case r.Level >= slog.LevelInfo:
			c = color.New(color.FgCyan)
		default:
			c = color.New(color.Faint)
		}
		// The handler's writer was judged when it was built (a terminal, no NO_COLOR); fatih/color
		// on its own would judge stdout instead.
		c.EnableColor()
		lvl = c.Sprint(lvl)
	}
	b.WriteString(lvl)
	b.WriteByte(' ')
	b.WriteString(r.Message)
	write := func(a slog.Attr) {
		key := a.Key
		if h.group != "" {
			key = h.group + "." + key
		}
		fmt.Fprintf(&b, " %s=%v", key, a.Value.Resolve())
	}
	for _, a := range h.attrs {
		write(a)
	}
	r.Attrs(func(a slog.Attr) bool { write(a); return true })
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func (h *humanHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &c
}

func (h *humanHandler) WithGroup(name string) slog.Handler {
	c := *h
	if c.group != "" {
		name = c.group + "." + name
	}
	c.group = name
	return &c
}
