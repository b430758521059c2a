{{ payment_rejects(source('wmca_spend', 'wmca_spend_rejects')) }}
