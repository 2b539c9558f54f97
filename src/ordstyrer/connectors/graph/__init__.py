"""What Facebook Pages and Instagram share: the Graph API client, errors, webhooks."""
