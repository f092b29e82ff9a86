# Sourced by the distributed tests: same_metrics A.csv B.csv compares two
# metrics.csv files, every column but the last two (samples_per_s, seconds),
# numbers within 1e-5 relative; prints the first differences and fails.
same_metrics() {
  awk -F, 'NR == FNR { a[FNR] = $0; n = FNR; next }
    {
      split(a[FNR], x, ",");
      if (FNR == 1) { if (a[FNR] != $0) { print "headers differ"; bad = 1 }; next }
      for (i = 1; i <= NF - 2; ++i) {
        d = x[i] - $i; if (d < 0) d = -d;
        s = ($i < 0 ? -$i : $i); if (s < 1) s = 1;
        if (d > 1e-5 * s) { printf "row %d column %d: %s vs %s\n", FNR, i, x[i], $i; bad = 1 }
      }
    }
    END { if (FNR != n) { print "row counts differ"; bad = 1 }; exit bad }' "$1" "$2"
}
