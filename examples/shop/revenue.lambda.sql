INSERT INTO revenue (customer, orders, spent) VALUES ($customer, 1, $total)
ON CONFLICT (customer) DO UPDATE SET orders = orders + 1, spent = spent + excluded.spent
RETURNING customer, orders, spent;
