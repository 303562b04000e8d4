package handlers

import (
	"context"
	"net/http"

	"jiefen/dispute"
)

// visibleCase loads the case of the request's {id}, if the user may see
// it (the workflow holds the rule); workflow.ErrNotFound otherwise.
func (c *Web) visibleCase(ctx context.Context, r *http.Request) (dispute.Case, error) {
	return c.Cases.Visible(ctx, current(r).User, r.PathValue("id"))
}

// maskedPhone shows a phone number to those outside the case's body.
func maskedPhone(p string) string {
	r := []rune(p)
	if len(r) < 7 {
		return "***"
	}
	return string(r[:3]) + "****" + string(r[len(r)-4:])
}

// maskedOpenID shows an openid's last characters only.
func maskedOpenID(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return "****"
	}
	return "****" + string(r[len(r)-4:])
}
