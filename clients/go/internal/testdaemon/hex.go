package testdaemon

import (
	"fmt"
	"strconv"
	"strings"
)

func fmtSscan(text string, value *uint64) (int, error) {
	parsed, err := strconv.ParseUint(strings.TrimPrefix(text, "0x"), 16, 64)
	*value = parsed
	return 1, err
}

func fmtHex(value uint64) string { return fmt.Sprintf("0x%016x", value) }
