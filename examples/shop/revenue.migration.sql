-- Running totals per customer; each order publishes the customer's new totals.
CREATE TABLE revenue (
  customer TEXT PRIMARY KEY NOT NULL,
  orders   INTEGER NOT NULL,
  spent    REAL NOT NULL
);
