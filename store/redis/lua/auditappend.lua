-- AppendAudit. KEYS[1] is the audit id counter; ARGV: T, at (ms), the
-- entry's JSON, user, case, action.
return audit(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
