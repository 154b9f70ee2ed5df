CREATE TABLE order_lines (
    order_id int REFERENCES orders (id) ON DELETE CASCADE,
    line     int,
    sku      text NOT NULL,
    PRIMARY KEY (order_id, line)
);
