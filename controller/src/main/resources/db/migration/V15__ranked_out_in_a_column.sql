-- Posts the SOP ranking put out of their group's day were told apart by their reason's text; the
-- decision is now read from decided_by alone. Rows written before it was always set get it here.
UPDATE jobs SET decided_by = 'sop-ranking' WHERE state = 'SKIPPED' AND decided_by IS NULL AND reason LIKE 'quota:group-daily%';
