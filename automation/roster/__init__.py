"""program.yml and the people in it: models and loading, mentors, requests, matching."""
