package handlers

import "testing"

// Only https leaves the machine; http is for this machine alone, however
// the address dresses it up.
func TestCheckWebhookURL(t *testing.T) {
	for addr, ok := range map[string]bool{
		"https://agency.example/referrals?k=1": true,
		"http://127.0.0.1:8081/referrals":      true,
		"http://LOCALHOST/hook":                true,
		"http://[::1]:9000/hook":               true,
		"http://localhost.evil.example/hook":   false,
		"http://127.0.0.1.evil.example/hook":   false,
		"http://10.0.0.8/hook":                 false,
		"https:///nohost":                      false,
		"https://agency.example/a b":           false,
		"mailto:a@agency.example":              false,
		"javascript:alert(1)":                  false,
	} {
		if err := checkWebhookURL(addr); (err == nil) != ok {
			t.Errorf("checkWebhookURL(%q) = %v, want ok %v", addr, err, ok)
		}
	}
}
