package caselink

import (
	"strings"
	"testing"
)

func TestLinks(t *testing.T) {
	s := New("app-secret")
	p := s.Path("JF20261127-0001")
	parts := strings.Split(p, "/")
	if len(parts) != 4 || parts[2] != "JF20261127-0001" || !s.Valid(parts[2], parts[3]) {
		t.Fatalf("path %q does not check", p)
	}
	if s.Valid("JF20261127-0002", parts[3]) {
		t.Fatal("a signature opens another case")
	}
	if New("other-secret").Valid(parts[2], parts[3]) {
		t.Fatal("a signature checks under another key")
	}
	tampered := parts[3][:len(parts[3])-1] + "A"
	if tampered != parts[3] && s.Valid(parts[2], tampered) {
		t.Fatal("a tampered signature checks")
	}
	if got := s.URL("https://jiefen.example/", "JF20261127-0001"); got != "https://jiefen.example"+p {
		t.Fatalf("URL %q", got)
	}
}
