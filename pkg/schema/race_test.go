//go:build race

package schema

// raceEnabled skips allocation counts, which the race detector inflates (and under which
// sync.Pool drops items at random).
const raceEnabled = true
