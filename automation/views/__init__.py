"""What coordinators read: statuses, the dashboard, histories, the queue, reports."""
