package evmcsd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// Schemas of the documents the offline loaders read.
const (
	HostProfileSchema    = "evmcsd.host-profile/1"
	VMRequirementsSchema = "evmcsd.vm-requirements/1"
)

// Document is a profile or VM requirements file as read: its bytes are sent to the daemon as
// they are (json.Marshal of a Document gives Raw), so nothing is lost or re-encoded.
type Document struct {
	Path   string
	Schema string // "" for a raw MSR dump
	Raw    json.RawMessage
}

// MarshalJSON gives the document's bytes.
func (d *Document) MarshalJSON() ([]byte, error) { return d.Raw, nil }

// Decode decodes the document into v (e.g. *HostProfile, *VMRequirements).
func (d *Document) Decode(v any) error { return json.Unmarshal(d.Raw, v) }

// DocumentError is a file that cannot be used: the path, the field inside the document (or
// ""), and the reason.
type DocumentError struct {
	Path   string
	Field  string
	Reason string
}

func (e *DocumentError) Error() string {
	if e.Field != "" {
		return e.Path + ": " + e.Field + ": " + e.Reason
	}
	return e.Path + ": " + e.Reason
}

// LoadProfile reads a host profile (evmcsd.host-profile/1) or a raw MSR dump (an object
// without schema whose msrs maps MSR indices to values).
func LoadProfile(path string) (*Document, error) {
	document, members, err := read(path)
	if err != nil {
		return nil, err
	}
	if _, hasSchema := members["schema"]; !hasSchema {
		if msrs, ok := members["msrs"]; ok && len(msrs) > 0 && msrs[0] == '{' {
			return document, nil
		}
	}
	if err := checkSchema(path, members, HostProfileSchema); err != nil {
		return nil, err
	}
	document.Schema = HostProfileSchema
	return document, nil
}

// LoadVMRequirements reads a VM requirements document (evmcsd.vm-requirements/1).
func LoadVMRequirements(path string) (*Document, error) {
	document, members, err := read(path)
	if err != nil {
		return nil, err
	}
	if err := checkSchema(path, members, VMRequirementsSchema); err != nil {
		return nil, err
	}
	if evmcs, ok := members["evmcs"]; ok {
		var section map[string]json.RawMessage
		if json.Unmarshal(evmcs, &section) != nil {
			return nil, &DocumentError{Path: path, Field: "evmcs", Reason: "expected an object"}
		}
		if _, ok := section["enabled"]; !ok {
			return nil, &DocumentError{Path: path, Field: "evmcs.enabled", Reason: `missing required field "enabled"`}
		}
	}
	document.Schema = VMRequirementsSchema
	return document, nil
}

// LoadDocument reads either, by the file's schema.
func LoadDocument(path string) (*Document, error) {
	_, members, err := read(path)
	if err != nil {
		return nil, err
	}
	var schema string
	_ = json.Unmarshal(members["schema"], &schema)
	switch {
	case strings.HasPrefix(schema, "evmcsd.vm-requirements/"):
		return LoadVMRequirements(path)
	case strings.HasPrefix(schema, "evmcsd.host-profile/"), members["schema"] == nil:
		return LoadProfile(path)
	}
	return nil, &DocumentError{Path: path, Field: "schema",
		Reason: fmt.Sprintf("%q must be %q or %q", schema, HostProfileSchema, VMRequirementsSchema)}
}

func read(path string) (*Document, map[string]json.RawMessage, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pathErr *os.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err
		}
		return nil, nil, &DocumentError{Path: path, Reason: "cannot read: " + err.Error()}
	}
	if !utf8.Valid(data) {
		return nil, nil, &DocumentError{Path: path, Reason: "not UTF-8"}
	}
	if err := noDuplicates(data); err != nil {
		return nil, nil, &DocumentError{Path: path, Reason: err.Error()}
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, nil, &DocumentError{Path: path, Field: "$", Reason: "expected a JSON object, got " + typeErr.Value}
		}
		return nil, nil, &DocumentError{Path: path, Reason: "not valid JSON: " + err.Error()}
	}
	if members == nil {
		return nil, nil, &DocumentError{Path: path, Field: "$", Reason: "expected a JSON object, got null"}
	}
	return &Document{Path: path, Raw: json.RawMessage(bytes.TrimSpace(data))}, members, nil
}

func checkSchema(path string, members map[string]json.RawMessage, expected string) error {
	raw, ok := members["schema"]
	if !ok {
		return &DocumentError{Path: path, Field: "schema", Reason: fmt.Sprintf("missing required field \"schema\" (expected %q)", expected)}
	}
	var schema string
	if json.Unmarshal(raw, &schema) != nil {
		return &DocumentError{Path: path, Field: "schema", Reason: fmt.Sprintf("expected a string %q", expected)}
	}
	if schema == expected {
		return nil
	}
	family := expected[:strings.LastIndex(expected, "/")]
	if strings.HasPrefix(schema, family+"/") {
		return &DocumentError{Path: path, Field: "schema", Reason: fmt.Sprintf("unsupported schema version %q (this client reads %q)", schema, expected)}
	}
	return &DocumentError{Path: path, Field: "schema", Reason: fmt.Sprintf("%q is not %q", schema, expected)}
}

// noDuplicates refuses a member name that appears twice in one object, anywhere (as the
// daemon and evmcsctl do).
func noDuplicates(data []byte) error {
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.UseNumber()
	var walk func() error
	walk = func() error {
		token, err := decoder.Token()
		if err != nil {
			return err
		}
		switch token {
		case json.Delim('{'):
			seen := map[string]bool{}
			for decoder.More() {
				key, err := decoder.Token()
				if err != nil {
					return err
				}
				name, _ := key.(string)
				if seen[name] {
					return fmt.Errorf("duplicate member %q", name)
				}
				seen[name] = true
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = decoder.Token()
			return err
		case json.Delim('['):
			for decoder.More() {
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = decoder.Token()
			return err
		}
		return nil
	}
	if err := walk(); err != nil {
		if strings.HasPrefix(err.Error(), "duplicate member") {
			return err
		}
		if err == io.EOF {
			return errors.New("not valid JSON: empty")
		}
		return fmt.Errorf("not valid JSON: %v", err)
	}
	return nil
}
