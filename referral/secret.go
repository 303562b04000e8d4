package referral

import (
	"os"
	"strings"
)

// EnvSecret reads a webhook secret from the environment variable env or,
// when that is unset, from the file named by env+"_FILE" (as every secret
// of jiefen may be given). It returns "" when neither holds one: the
// sender then marks the referral failed rather than send it unsigned.
func EnvSecret(env string) string {
	if env == "" {
		return ""
	}
	if v := strings.TrimSpace(os.Getenv(env)); v != "" {
		return v
	}
	path := os.Getenv(env + "_FILE")
	if path == "" {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
