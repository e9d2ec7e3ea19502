package connector

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
)

// CaptureDriver serves one invocation of a built-in capture connector.
type CaptureDriver func(ctx context.Context, stream CaptureServerStream, log *slog.Logger) error

// MaterializeDriver serves one invocation of a built-in materialize connector.
type MaterializeDriver func(ctx context.Context, stream MaterializeServerStream, log *slog.Logger) error

var registry = struct {
	sync.RWMutex
	captures     map[string]CaptureDriver
	materializes map[string]MaterializeDriver
}{captures: map[string]CaptureDriver{}, materializes: map[string]MaterializeDriver{}}

// RegisterCapture makes a built-in capture connector answer for image (any tag). Packages with
// built-ins call it from init; registering an image twice panics, as that is a programming error.
func RegisterCapture(image string, d CaptureDriver) {
	registry.Lock()
	defer registry.Unlock()
	name := ImageName(image)
	if _, dup := registry.captures[name]; dup {
		panic("connector: capture " + name + " registered twice")
	}
	registry.captures[name] = d
}

// RegisterMaterialize makes a built-in materialize connector answer for image (any tag).
func RegisterMaterialize(image string, d MaterializeDriver) {
	registry.Lock()
	defer registry.Unlock()
	name := ImageName(image)
	if _, dup := registry.materializes[name]; dup {
		panic("connector: materialize " + name + " registered twice")
	}
	registry.materializes[name] = d
}

// BuiltinCaptures lists the images of the registered built-in captures, sorted.
func BuiltinCaptures() []string {
	registry.RLock()
	defer registry.RUnlock()
	return slices.Sorted(maps.Keys(registry.captures))
}

// BuiltinMaterializations lists the images of the registered built-in materializations, sorted.
func BuiltinMaterializations() []string {
	registry.RLock()
	defer registry.RUnlock()
	return slices.Sorted(maps.Keys(registry.materializes))
}

// lookupCapture returns the driver as a plain func type, which openStream's generic signature needs.
func lookupCapture(image string) (func(context.Context, CaptureServerStream, *slog.Logger) error, bool) {
	registry.RLock()
	defer registry.RUnlock()
	d, ok := registry.captures[ImageName(image)]
	return d, ok
}

func lookupMaterialize(image string) (func(context.Context, MaterializeServerStream, *slog.Logger) error, bool) {
	registry.RLock()
	defer registry.RUnlock()
	d, ok := registry.materializes[ImageName(image)]
	return d, ok
}

// ImageName strips the tag or digest from an image reference:
// "ghcr.io/estuary/materialize-sqlite:dev" -> "ghcr.io/estuary/materialize-sqlite".
func ImageName(image string) string {
	if i := strings.IndexByte(image, '@'); i >= 0 {
		image = image[:i]
	}
	if i := strings.LastIndexByte(image, ':'); i > strings.LastIndexByte(image, '/') {
		image = image[:i]
	}
	return image
}

// noConnectorError explains that an image is neither built in nor runnable here.
func noConnectorError(task, image, protocol string, builtins []string, dockerErr error) error {
	return fmt.Errorf("task %s: cannot run connector image %s: it is not a built-in %s connector and no Docker engine answers (%v); "+
		"use a `local: {command: [...]}` endpoint to run the connector as a process, or one of the built-in images: %s",
		task, image, protocol, dockerErr, strings.Join(builtins, ", "))
}
