/* fixture: nn module */
