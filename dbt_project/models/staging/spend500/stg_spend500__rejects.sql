{{ payment_rejects(source('spend500', 'spend500_rejects')) }}
