-- Ten rounds of sql/round.sql: 40 evaluations.
.read sql/round.sql
.read sql/round.sql
.read sql/round.sql
.read sql/round.sql
.read sql/round.sql
.read sql/round.sql
.read sql/round.sql
.read sql/round.sql
.read sql/round.sql
.read sql/round.sql
