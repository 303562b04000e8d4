package store

import (
	"fmt"
	"strings"
	"testing"
)

// A setting printed by mistake gives away neither the secret nor the
// address (which may carry a token).
func TestBodyWebhookString(t *testing.T) {
	w := BodyWebhook{Body: "lh-labor", URL: "https://agency.example/?token=t0k", Secret: "very-secret", UpdatedBy: "admin"}
	s := fmt.Sprintf("%v %+v %s", w, w, w)
	if strings.Contains(s, "very-secret") || strings.Contains(s, "t0k") || !strings.Contains(s, "lh-labor") {
		t.Errorf("printed as %q", s)
	}
}
