package sqlite

import (
	"testing"

	"jiefen/internal/testdate"
)

// TestMigratePrivacy: citizens and cases stored before notice versions and
// the AI mark read back with none ("" and false), and keep the rest.
func TestMigratePrivacy(t *testing.T) {
	dir := t.TempDir()
	s := openBefore(t, dir, "schemaPrivacy")
	ms := testdate.At("w-1 Fri 09:00").UnixMilli()
	for _, q := range []string{
		`INSERT INTO cases (id, status, type, urgent, region, body, rule, summary, story, openid, phone, created_at, updated_at)
			VALUES ('JF1', 'received', 'labor', 0, '东昌区', 'bodyA', 'r', '欠薪', '老板拖欠工资', 'o1', '', ?1, ?1)`,
		`INSERT INTO citizens (openid, consent_at, last_inbound_at, window_until, quota, sent) VALUES ('o1', ?1, ?1, ?1, 5, 0)`,
	} {
		if _, err := s.w.Exec(q, ms); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	k, err := s.Case(t.Context(), "JF1")
	if err != nil || k.SummaryAI || k.Summary != "欠薪" {
		t.Errorf("case after the migration: %+v, %v", k, err)
	}
	c, err := s.Citizen(t.Context(), "o1")
	if err != nil || c.ConsentVersion != "" || c.ConsentAt.UnixMilli() != ms {
		t.Errorf("citizen after the migration: %+v, %v", c, err)
	}
}
