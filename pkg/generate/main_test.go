package generate

import (
	"testing"

	"github.com/flowctl/flowctl/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
