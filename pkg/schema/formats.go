package schema

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Flow's string formats (crates/json/src/schema/formats.rs) that the validator lacks or checks
// differently. Other formats (date, date-time, time, email, hostname, ipv4/6, uuid, uri, iri,
// uri-reference, iri-reference, uri-template, json-pointer, relative-json-pointer, regex) use the
// validator's own checks.
var (
	macaddrPattern   = regexp.MustCompile(`^([0-9A-Fa-f]{2}[:-]?){5}[0-9A-Fa-f]{2}$`)
	macaddr8Pattern  = regexp.MustCompile(`^([0-9A-Fa-f]{2}[:-]?){7}[0-9A-Fa-f]{2}$`)
	durationPattern  = regexp.MustCompile(`^P(?:\d+W|(?:(?:\d+Y(?:\d+M)?(?:\d+D)?|\d+M(?:\d+D)?|\d+D)(?:T(?:\d+H(?:\d+M)?(?:\d+S)?|\d+M(?:\d+S)?|\d+S))?)|T(?:\d+H(?:\d+M)?(?:\d+S)?|\d+M(?:\d+S)?|\d+S))$`)
	decimalPattern   = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)
	sha256HexPattern = regexp.MustCompile(`^sha256:[0-9A-Fa-f]{64}$`)
)

func flowFormats() []*jsonschema.Format {
	formats := []*jsonschema.Format{
		stringFormat("macaddr", func(s string) bool { return macaddrPattern.MatchString(s) }),
		stringFormat("macaddr8", func(s string) bool { return macaddr8Pattern.MatchString(s) }),
		stringFormat("duration", func(s string) bool { return durationPattern.MatchString(s) }),
		stringFormat("integer", isIntegerString),
		stringFormat("uint32", isIntegerString),
		stringFormat("uint64", isIntegerString),
		stringFormat("number", isNumberString),
		stringFormat("sha256", func(s string) bool { return sha256HexPattern.MatchString(s) }),
		unsupportedFormat("idn-email"),
		unsupportedFormat("idn-hostname"),
	}
	// `datetime` is Flow's alias of `date-time`; it checks exactly what date-time checks.
	formats = append(formats, aliasFormat("datetime", "date-time"))
	return formats
}

func stringFormat(name string, ok func(string) bool) *jsonschema.Format {
	return &jsonschema.Format{Name: name, Validate: func(v any) error {
		s, isString := v.(string)
		if !isString || ok(s) {
			return nil // formats constrain strings only
		}
		return fmt.Errorf("%q is not a valid %s", s, name)
	}}
}

func unsupportedFormat(name string) *jsonschema.Format {
	return &jsonschema.Format{Name: name, Validate: func(v any) error {
		if _, isString := v.(string); !isString {
			return nil
		}
		return fmt.Errorf("format %s is not supported (Flow rejects every value of it)", name)
	}}
}

// aliasFormat validates like the built-in format `of`, found by compiling a tiny schema once.
func aliasFormat(name, of string) *jsonschema.Format {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("mem:///format.json", map[string]any{"format": of}); err != nil {
		panic(err) // a constant schema; cannot fail
	}
	target := c.MustCompile("mem:///format.json")
	return &jsonschema.Format{Name: name, Validate: func(v any) error {
		if err := target.Validate(v); err != nil {
			return fmt.Errorf("%v is not a valid %s", describe(v), of)
		}
		return nil
	}}
}

// isIntegerString accepts a decimal number whose value is an integer ("12", "-3", "12.00", "1e3",
// "150e-1"). It reasons on the digits rather than building the number, so "1e999999999" is cheap.
func isIntegerString(s string) bool {
	m := decimalPattern.FindStringSubmatch(s)
	if m == nil {
		return false
	}
	mantissa, exponent := m[1], 0
	if m[2] != "" {
		e, err := strconv.Atoi(strings.TrimPrefix(m[2][1:], "+"))
		if err != nil { // beyond int range: a huge positive exponent makes any mantissa whole
			return !strings.HasPrefix(m[2][1:], "-") || strings.Trim(mantissa, "0.") == ""
		}
		exponent = e
	}
	whole, frac, _ := strings.Cut(mantissa, ".")
	frac = strings.TrimRight(frac, "0")
	digits := strings.TrimLeft(whole+frac, "0")
	if digits == "" {
		return true // zero
	}
	trailingZeros := len(digits) - len(strings.TrimRight(digits, "0"))
	return trailingZeros >= len(frac)-exponent
}

// isNumberString accepts a decimal number, or NaN, Infinity and -Infinity.
func isNumberString(s string) bool {
	switch s {
	case "NaN", "Infinity", "-Infinity":
		return true
	}
	return decimalPattern.MatchString(s)
}
