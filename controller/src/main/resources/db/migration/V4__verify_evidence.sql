-- What an agent saw when it confirmed, instead of resending, that an earlier attempt had sent.
ALTER TABLE executions ADD COLUMN evidence VARCHAR(1000);
