"""What mentees and mentors write back: goal checklists, progress, feedback answers."""
